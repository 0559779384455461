import StrataCore

/// Appends frames to one WAL file. One writer at a time (the engine's lock); `sync` may run
/// on another thread while appends continue, which POSIX allows on one descriptor.
final class WALWriter: @unchecked Sendable {
    let number: UInt64
    let path: String
    private let file: any StoreFile
    /// End of the last complete frame; the next append goes here.
    private(set) var endOffset: Int

    private init(number: UInt64, path: String, file: any StoreFile, endOffset: Int) {
        self.number = number
        self.path = path
        self.file = file
        self.endOffset = endOffset
    }

    static func fileName(_ number: UInt64) -> String { "wal-\(String(format6(number))).log" }

    /// Creates a new, empty WAL file atomically: header written and synced under a temp name,
    /// renamed into place, directory synced. A crash leaves either no file or a valid empty one.
    static func create(fs: any StoreFileSystem, directory: String, number: UInt64, version: UInt32) throws(StrataError) -> WALWriter {
        let path = StorePath.join(directory, fileName(number))
        let temp = path + ".tmp"
        let file = try fs.open(temp, create: true)
        do throws(StrataError) {
            try file.truncate(to: 0)
            try file.write(WALFrame.fileHeader(version: version), at: 0)
            try file.sync()
            try fs.rename(temp, to: path)
            try fs.syncDirectory(directory)
        } catch {
            file.close()
            try? fs.remove(temp)
            throw error
        }
        return WALWriter(number: number, path: path, file: file, endOffset: WALFrame.fileHeaderSize)
    }

    /// Reopens an existing WAL for appending after recovery scanned it up to `validEnd`.
    static func reopen(fs: any StoreFileSystem, directory: String, number: UInt64, validEnd: Int) throws(StrataError) -> WALWriter {
        let path = StorePath.join(directory, fileName(number))
        let file = try fs.open(path, create: false)
        return WALWriter(number: number, path: path, file: file, endOffset: validEnd)
    }

    /// Writes one frame. On failure (a full disk) the partial frame is cut off again, so the
    /// log stays a sequence of whole frames.
    func append(_ payload: [UInt8]) throws(StrataError) {
        guard payload.count <= WALFrame.maxPayload else {
            throw .resourceExhausted("write batch encodes to \(payload.count) bytes; the limit is \(WALFrame.maxPayload)")
        }
        try append(frame: WALFrame.encode(payload), payload: payload.count)
    }

    /// Writes one frame already encoded by `WALFrame.begin`/`finish` (one `pwrite` per batch).
    func append(frame: [UInt8], payload: Int) throws(StrataError) {
        guard payload <= WALFrame.maxPayload else {
            throw .resourceExhausted("write batch encodes to \(payload) bytes; the limit is \(WALFrame.maxPayload)")
        }
        do throws(StrataError) {
            try file.write(frame, at: endOffset)
        } catch {
            try? file.truncate(to: endOffset)
            throw error
        }
        endOffset += frame.count
    }

    func sync() throws(StrataError) { try file.sync() }

    func close() { file.close() }
}

/// Zero-padded decimal so that file names sort in number order.
func format6(_ n: UInt64) -> String {
    let s = String(n)
    return s.count >= 8 ? s : String(repeating: "0", count: 8 - s.count) + s
}
