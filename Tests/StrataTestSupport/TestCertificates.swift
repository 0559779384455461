import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Throw-away certificate authorities and node certificates in a temporary directory, made
/// by `scripts/make-certs.sh` (openssl) -- the script `cluster-up.sh --secure` uses too.
/// `remove()` deletes the directory; tests call it in a `defer`.
public final class TestCertificates: Sendable {
    public let directory: String

    public init() {
        directory = TestSupport.temporaryDirectory("strata-certs")
    }

    /// Paths of one certificate and its key.
    public struct Pair: Sendable {
        public let certificate: String
        public let key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// A new CA named `name`; returns its certificate's path.
    @discardableResult
    public func makeCA(_ name: String) throws -> String {
        try run(["ca", directory + "/" + name, name])
        return directory + "/\(name)/ca.pem"
    }

    /// A certificate with subject CN `commonName`, signed by CA `ca` (made first), valid for
    /// `subjectAlternativeNames` (openssl form; default localhost and the loopback addresses).
    public func makeNode(_ file: String, commonName: String, ca: String, subjectAlternativeNames: [String] = []) throws -> Pair {
        let out = directory + "/" + file
        try run(["node", directory + "/" + ca, commonName, out] + subjectAlternativeNames)
        return Pair(certificate: out + ".pem", key: out + ".key")
    }

    public func caPath(_ ca: String) -> String { directory + "/\(ca)/ca.pem" }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the script with posix_spawn and waits (Foundation's `Process.waitUntilExit` aborts
    /// when tests call it from many threads at once); its messages go to a log in the directory.
    private func run(_ arguments: [String]) throws {
        let script = TestSupport.repositoryRoot + "/scripts/make-certs.sh"
        let log = directory + "/make-certs.log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([script] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, script, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else {
            let message = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "make-certs.sh \(arguments.joined(separator: " ")) failed: \(message)"])
        }
    }
}
