import CStrataSupport
import StrataCore

#if canImport(Glibc)
import Glibc
#endif

/// Measures the raw sequential write bandwidth of the disk under a directory with direct
/// I/O (O_DIRECT, page cache bypassed, fdatasync at the end), the yardstick the store's
/// ingest rate is compared against.
public enum DirectWriteProbe {
    /// Writes `totalBytes` in `blockBytes` blocks to a scratch file in `directory`, removes
    /// it, and returns bytes per second. `syncEveryBlock` adds an fdatasync after each block
    /// (what a log making every block durable before the next one could reach).
    public static func sequentialWriteBandwidth(directory: String, totalBytes: Int = 256 << 20, blockBytes: Int = 1 << 20,
                                                syncEveryBlock: Bool = false) throws(StrataError) -> Double {
        let path = StorePath.join(directory, "direct-io-probe.tmp")
        let fd = strata_open_direct(path)
        guard fd >= 0 else { throw PosixFileSystem.error(errno, "open with O_DIRECT", path) }
        defer {
            close(fd)
            unlink(path)
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 4096, blockBytes) == 0, let buffer = raw else {
            throw .resourceExhausted("cannot allocate an aligned \(blockBytes)-byte buffer")
        }
        defer { free(buffer) }
        // Incompressible content, so a compressing or deduplicating device can't flatter the figure.
        var x: UInt64 = 0x1234_5678_9ABC_DEF1
        let words = buffer.bindMemory(to: UInt64.self, capacity: blockBytes / 8)
        for i in 0..<(blockBytes / 8) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            words[i] = x
        }
        let start = ContinuousClock.now
        var written = 0
        while written < totalBytes {
            let n = pwrite(fd, buffer, blockBytes, off_t(written))
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixFileSystem.error(errno, "direct write", path)
            }
            written += n
            if syncEveryBlock, written % blockBytes == 0, fdatasync(fd) != 0 { throw PosixFileSystem.error(errno, "fsync", path) }
        }
        guard fdatasync(fd) == 0 else { throw PosixFileSystem.error(errno, "fsync", path) }
        let elapsed = start.duration(to: .now)
        let seconds = elapsed.seconds
        return Double(written) / seconds
    }
}
