import StrataCore

/// Writes a segment file as it is built, atomically: into `<name>.tmp`, then fsync, rename
/// over `<name>`, fsync of the directory (the same steps as `AtomicFile`). A crash before the
/// rename leaves a `.tmp` file that `open` removes; after it, the complete segment.
///
/// Streaming instead of writing one finished array: a flush used to build the whole segment
/// in a fresh buffer (a page fault per 4 KiB) before copying it into the page cache; now the
/// builder's output goes out every few megabytes from a reused buffer.
///
/// `directIO` also skips the page-cache copy (about 1 ms of CPU per MB of text flushed on
/// the benchmark machine), but then a fresh segment is not in the page cache: in
/// `strata-bench store` the persistent tier's read p99 went from tens of microseconds to
/// milliseconds, and the block verification at open read from disk. The engine therefore
/// writes segments through the page cache; the WAL, which is only read by recovery, uses
/// direct I/O.
final class SegmentFileWriter {
    let path: String
    private let temp: String
    private let directory: String
    private let fs: any StoreFileSystem
    private let file: any StoreFile
    /// Staging for direct I/O (nil when the file takes unaligned writes): holds bytes not yet
    /// written, which start at `written` (always a multiple of the alignment).
    private let staging: AlignedBuffer?
    private var staged = 0
    /// Bytes handed to the file so far (with direct I/O: whole aligned blocks).
    private var written = 0
    /// Bytes appended so far: the file's size once finished.
    private(set) var size = 0
    private var done = false

    /// Bytes staged before an aligned write goes out.
    static let writeChunk = 4 << 20

    init(fs: any StoreFileSystem, directory: String, name: String, directIO: Bool = false) throws(StrataError) {
        self.fs = fs
        self.directory = directory
        path = StorePath.join(directory, name)
        temp = path + ".tmp"
        let created = try fs.open(temp, create: true)
        do throws(StrataError) { try created.truncate(to: 0) } catch {
            created.close()
            try? fs.remove(temp)
            throw error
        }
        if directIO {
            created.close()
            do throws(StrataError) { file = try fs.openForAppends(temp) } catch {
                try? fs.remove(temp)
                throw error
            }
        } else {
            file = created
        }
        staging = file.writeAlignment > 1 ? AlignedBuffer(alignment: file.writeAlignment, capacity: Self.writeChunk + (1 << 20)) : nil
    }

    deinit { if !done { abandon() } }

    /// Appends bytes at the end of the file.
    func append(_ bytes: UnsafeRawBufferPointer) throws(StrataError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        size += bytes.count
        guard let staging else {
            try file.write(from: base, count: bytes.count, at: written)
            written += bytes.count
            return
        }
        staging.reserve(staged + bytes.count, keeping: staged)
        (staging.pointer + staged).copyMemory(from: base, byteCount: bytes.count)
        staged += bytes.count
        if staged >= Self.writeChunk { try writeStaged(final: false) }
    }

    /// Appends the bytes of an array.
    func append(_ bytes: [UInt8]) throws(StrataError) {
        let failure: StrataError? = bytes.withUnsafeBytes { raw in
            do throws(StrataError) { try append(raw) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Writes the whole aligned blocks staged (all of it, zero-padded, when `final`) and moves
    /// the rest to the front of the staging buffer.
    private func writeStaged(final: Bool) throws(StrataError) {
        guard let staging else { return }
        let alignment = staging.alignment
        var count = final ? (staged + alignment - 1) / alignment * alignment : staged / alignment * alignment
        guard count > 0 else { return }
        if final { (staging.pointer + staged).initializeMemory(as: UInt8.self, repeating: 0, count: count - staged) }
        try file.write(from: staging.pointer, count: count, at: written)
        written += count
        if final { count = staged }
        let rest = staged - count
        if rest > 0 { staging.pointer.copyMemory(from: staging.pointer + count, byteCount: rest) }
        staged = rest
    }

    /// Writes what is staged, cuts the padding, fsyncs, renames into place and fsyncs the
    /// directory. Returns the file's size.
    @discardableResult
    func finish() throws(StrataError) -> Int {
        do throws(StrataError) {
            if staging != nil {
                try writeStaged(final: true)
                try file.truncate(to: size)
            }
            try file.sync()
            file.close()
            try fs.rename(temp, to: path)
            try fs.syncDirectory(directory)
        } catch {
            abandon()
            throw error
        }
        done = true
        return size
    }

    /// Gives up: closes and removes the temp file (a failed build or write).
    func abandon() {
        done = true
        file.close()
        try? fs.remove(temp)
    }
}
