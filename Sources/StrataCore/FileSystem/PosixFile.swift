#if canImport(Glibc)
import Glibc
#endif

/// One POSIX file descriptor, owned by this object and closed by `close()` or `deinit`.
final class PosixFile: StoreFile, @unchecked Sendable {
    // `fd` is written only by close(); callers don't use a file after closing it.
    private var fd: Int32
    let path: String
    /// 4096 when opened with O_DIRECT (safe for any device's logical block size), else 1.
    let writeAlignment: Int

    init(fd: Int32, path: String, writeAlignment: Int = 1) {
        self.fd = fd
        self.path = path
        self.writeAlignment = writeAlignment
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func size() throws(StrataError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw PosixFileSystem.error(errno, "stat", path) }
        return Int(st.st_size)
    }

    func read(at offset: Int, count: Int) throws(StrataError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixFileSystem.error(errno, "read", path)
            }
            if n == 0 { break }
            done += n
        }
        if done < count { buffer.removeLast(count - done) }
        return buffer
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(StrataError) {
        // withUnsafeBytes rethrows untyped errors: the StrataError is carried out by hand.
        let failure: StrataError? = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            do throws(StrataError) { try write(from: base, count: raw.count, at: offset) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    func write(from bytes: UnsafeRawPointer, count: Int, at offset: Int) throws(StrataError) {
        var done = 0
        while done < count {
            let n = pwrite(fd, bytes + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixFileSystem.error(errno, "write", path)
            }
            // A short direct write leaves an unaligned remainder the kernel would refuse;
            // it only happens when the disk is full, so report that.
            if n == 0 || (writeAlignment > 1 && n % writeAlignment != 0 && done + n < count) {
                throw .resourceExhausted("write \(path): short write (\(done + n) of \(count) bytes); the disk may be full")
            }
            done += n
        }
    }

    func sync() throws(StrataError) {
        guard fdatasync(fd) == 0 else { throw PosixFileSystem.error(errno, "fsync", path) }
    }

    func truncate(to size: Int) throws(StrataError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw PosixFileSystem.error(errno, "truncate", path) }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
