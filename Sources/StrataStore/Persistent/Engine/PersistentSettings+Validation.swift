import StrataCore

extension PersistentSettings {
    /// Refuses settings the engine cannot run with, naming the field (`field` is its path in
    /// the configuration, e.g. "store.persistent").
    public func validate(field: String = "persistent") throws(StrataError) {
        if case .interval(let ms) = fsyncPolicy, ms < 0 || ms > 10_000 {
            throw .invalidArgument("\(field).fsyncPolicy interval is \(ms) ms; it must be within 0...10000")
        }
        guard maxChunkBytes > 0, maxChunkBytes <= 16 << 20 else {
            throw .invalidArgument("\(field).maxChunkBytes is \(maxChunkBytes); it must be within 1...\(16 << 20)")
        }
        guard walFlushBytes >= 4096, walFlushBytes <= 4 << 30 else {
            throw .invalidArgument("\(field).walFlushBytes is \(walFlushBytes); it must be within 4096...\(4 << 30)")
        }
        guard compactionGarbageRatio > 0, compactionGarbageRatio <= 1 else {
            throw .invalidArgument("\(field).compactionGarbageRatio is \(compactionGarbageRatio); it must be within (0, 1]")
        }
        guard compactionMaxSegments >= 1 else {
            throw .invalidArgument("\(field).compactionMaxSegments is \(compactionMaxSegments); it must be at least 1")
        }
        guard (-7...19).contains(compressionLevel) else {
            throw .invalidArgument("\(field).compressionLevel is \(compressionLevel); zstd levels used here are -7...19")
        }
    }
}
