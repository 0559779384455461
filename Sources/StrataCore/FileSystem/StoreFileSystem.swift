/// The file-system operations the persistent tier (StrataStore) and `AtomicFile` use, and
/// nothing else.
///
/// The engine is generic over this protocol so that tests can run it over a simulated disk
/// that tears writes, flips bits and loses unsynced data on a simulated crash
/// (TigerBeetle-style), and reproduce any failure from a seed. Every failure is a
/// `StrataError`; a full disk is `resourceExhausted`.
public protocol StoreFileSystem: Sendable {
    /// Opens an existing file, or creates it when `create` is true.
    func open(_ path: String, create: Bool) throws(StrataError) -> any StoreFile
    /// Atomically replaces `to` with `from` (POSIX rename). Durable once the directory is synced.
    func rename(_ from: String, to: String) throws(StrataError)
    /// Makes the directory's entries (creations, renames, removals) durable.
    func syncDirectory(_ path: String) throws(StrataError)
    /// Names (not paths) of the entries of a directory.
    func list(_ directory: String) throws(StrataError) -> [String]
    /// Removes a file; removing a missing file is not an error.
    func remove(_ path: String) throws(StrataError)
    /// Creates a directory (and its parents) if missing.
    func createDirectory(_ path: String) throws(StrataError)
    /// Whether a file or directory exists.
    func exists(_ path: String) -> Bool
    /// Opens an existing file for the WAL's appends, bypassing the page cache where the file
    /// system allows it (see `StoreFile.writeAlignment`). Reads go through `open`.
    func openForAppends(_ path: String) throws(StrataError) -> any StoreFile
}

extension StoreFileSystem {
    /// Without direct I/O: the same as `open` (simulated disks, file systems without O_DIRECT).
    public func openForAppends(_ path: String) throws(StrataError) -> any StoreFile { try open(path, create: false) }
}

/// One open file. Reads at an offset are safe from several threads; writes need one writer.
public protocol StoreFile: AnyObject, Sendable {
    /// Current size in bytes.
    func size() throws(StrataError) -> Int
    /// Reads up to `count` bytes at `offset` (fewer only at end of file).
    func read(at offset: Int, count: Int) throws(StrataError) -> [UInt8]
    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: Int) throws(StrataError)
    /// Flushes written data to stable storage (fsync).
    func sync() throws(StrataError)
    /// Cuts or extends the file to `size` bytes.
    func truncate(to size: Int) throws(StrataError)
    /// Releases the descriptor; further calls fail.
    func close()
    /// Offsets, lengths and buffer addresses of writes must be multiples of this (direct I/O);
    /// 1 for an ordinary file.
    var writeAlignment: Int { get }
    /// Writes `count` bytes from `bytes` at `offset` (aligned to `writeAlignment` when it is above 1).
    func write(from bytes: UnsafeRawPointer, count: Int, at offset: Int) throws(StrataError)
}

extension StoreFile {
    public var writeAlignment: Int { 1 }

    public func write(from bytes: UnsafeRawPointer, count: Int, at offset: Int) throws(StrataError) {
        try write(Array(UnsafeRawBufferPointer(start: bytes, count: count)), at: offset)
    }
}

extension StoreFile {
    /// Reads the whole file.
    public func readAll() throws(StrataError) -> [UInt8] { try read(at: 0, count: try size()) }

    /// Writes `bytes` at the end of the file; returns the offset they were written at.
    /// (The WAL tracks its own end instead, because after a failed write the file may be
    /// longer than its last whole frame.)
    @discardableResult
    public func append(_ bytes: [UInt8]) throws(StrataError) -> Int {
        let offset = try size()
        try write(bytes, at: offset)
        return offset
    }
}

/// Path helpers (the engine only builds paths by joining a directory and a name).
public enum StorePath {
    public static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
