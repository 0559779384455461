import Foundation

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

    private func run(_ arguments: [String]) throws {
        let (status, output) = try TestProcess.run(TestSupport.repositoryRoot + "/scripts/make-certs.sh", arguments)
        guard status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "make-certs.sh \(arguments.joined(separator: " ")) failed: \(output)"])
        }
    }
}
