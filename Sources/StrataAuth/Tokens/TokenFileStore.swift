import Foundation
import StrataCore

#if canImport(Glibc)
import Glibc
#endif

/// A `TokenStore` in one JSON file (`TokenRegistry+JSON`), replaced atomically: the new
/// registry goes to a temporary file (owner-only, 0600), is synced, renamed over the old one,
/// and the directory is synced, so a crash leaves either the old file or the whole new one.
public struct TokenFileStore: TokenStore {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func load() throws(StrataError) -> TokenRegistry {
        guard FileManager.default.fileExists(atPath: path) else { return .empty }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .failedPrecondition("tokens file \(path) cannot be read")
        }
        return try TokenRegistry(json: [UInt8](data), source: "tokens file \(path)")
    }

    public func save(_ registry: TokenRegistry) throws(StrataError) {
        let stored = try load()
        guard registry.revision > stored.revision || (registry.revision == 0 && stored.revision == 0) else {
            throw StrataError(.aborted, "tokens file \(path) is at revision \(stored.revision); refusing to replace it with revision \(registry.revision)")
        }
        try Self.replace(path, with: registry.encodedJSON())
    }

    /// Replaces the file with `registry` whatever revision it holds: a copy of a registry
    /// kept elsewhere (coordinators sharing etcd mirror it here for workers' /metrics checks).
    public func mirror(_ registry: TokenRegistry) throws(StrataError) {
        try Self.replace(path, with: registry.encodedJSON())
    }

    static func replace(_ path: String, with bytes: [UInt8]) throws(StrataError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = path + ".tmp"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create \(temp)") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let problem = ok ? nil : failure("cannot write \(temp)")
        close(fd)
        if let problem {
            unlink(temp)
            throw problem
        }
        guard rename(temp, path) == 0 else {
            let problem = failure("cannot rename \(temp) to \(path)")
            unlink(temp)
            throw problem
        }
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func failure(_ what: String) -> StrataError {
        let reason = String(cString: strerror(errno))
        return errno == ENOSPC ? .resourceExhausted("\(what): \(reason)") : StrataError(.internal, "\(what): \(reason)")
    }
}
