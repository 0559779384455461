#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StrataCore

/// Reading a whole file with plain POSIX calls (one open, fstat, read loop): cheaper than
/// Foundation's per-file overhead when a sync reads thousands of small files.
public enum FileBytes {
    /// The file's bytes; `invalidArgument` when it holds more than `limit` bytes,
    /// `notFound`/`unavailable` when it cannot be opened or read.
    public static func read(_ path: String, limit: Int) throws(StrataError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw code == ENOENT ? .notFound("\(path) does not exist") : StrataError(.unavailable, "cannot open \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StrataError(.unavailable, "cannot stat \(path)") }
        // One byte of slack, so a file that did not grow is read by one read() plus one that returns 0.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                // The file may have grown since fstat; read on in steps, up to the limit.
                guard bytes.count <= limit else { break }
                bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, bytes.count / 2)))
            }
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                throw StrataError(.unavailable, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        guard bytes.count <= limit else { throw .invalidArgument("\(path) is \(bytes.count) bytes; the limit is \(limit)") }
        return bytes
    }
}
