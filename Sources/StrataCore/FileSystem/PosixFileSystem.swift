import CStrataFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real file system: POSIX calls, each checked once here and mapped to `StrataError`.
public struct PosixFileSystem: StoreFileSystem {
    /// The alignment of writes to a file opened for direct I/O (safe for any device's logical
    /// block size).
    public static let directWriteAlignment = 4096

    public init() {}

    public func open(_ path: String, create: Bool) throws(StrataError) -> any StoreFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw PosixFileSystem.error(errno, "open", path) }
        return PosixFile(fd: fd, path: path)
    }

    /// O_DIRECT when the file system supports it (the WAL's appends skip the page cache: no
    /// copy, no page allocation, as the raw-bandwidth probe writes), else an ordinary open.
    public func openForAppends(_ path: String) throws(StrataError) -> any StoreFile {
        let fd = strata_open_direct_rw(path, 0)
        if fd >= 0 { return PosixFile(fd: fd, path: path, writeAlignment: Self.directWriteAlignment) }
        guard errno == EINVAL else { throw PosixFileSystem.error(errno, "open", path) }
        return try open(path, create: false)
    }

    public func rename(_ from: String, to: String) throws(StrataError) {
        guard Glibc.rename(from, to) == 0 else { throw PosixFileSystem.error(errno, "rename to \(to)", from) }
    }

    public func syncDirectory(_ path: String) throws(StrataError) {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PosixFileSystem.error(errno, "open directory", path) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw PosixFileSystem.error(errno, "fsync directory", path) }
    }

    public func list(_ directory: String) throws(StrataError) -> [String] {
        guard let dir = opendir(directory) else { throw PosixFileSystem.error(errno, "list", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func remove(_ path: String) throws(StrataError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw PosixFileSystem.error(errno, "remove", path) }
    }

    public func createDirectory(_ path: String) throws(StrataError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StrataError(.internal, "cannot create directory \(path): \(error.localizedDescription)")
        }
    }

    public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Maps an errno to a `StrataError`: a full disk is `resourceExhausted`.
    public static func error(_ code: Int32, _ operation: String, _ path: String) -> StrataError {
        let reason = String(cString: strerror(code))
        if strata_errno_is_disk_full(code) != 0 {
            return .resourceExhausted("disk full: \(operation) \(path): \(reason)")
        }
        if code == ENOENT { return .notFound("\(operation) \(path): \(reason)") }
        return StrataError(.internal, "\(operation) \(path): \(reason)")
    }
}
