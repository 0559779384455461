import StrataCore

/// Settings of the persistent tier.
public struct PersistentSettings: Sendable, Equatable, Codable {
    /// When the WAL is fsynced; a batch is acknowledged only after the fsync that covers it.
    public var fsyncPolicy: FsyncPolicy
    /// Largest accepted chunk text, in UTF-8 bytes.
    public var maxChunkBytes: Int
    /// The memtable is flushed into a segment (and the WAL rotated) past this WAL size.
    public var walFlushBytes: Int
    /// Compaction runs after a flush when dead bytes exceed this fraction of segment bytes...
    public var compactionGarbageRatio: Double
    /// ...or when there are more live segments than this.
    public var compactionMaxSegments: Int
    /// zstd level for chunk text (1 is fast and still about 2-3x on prose and code).
    public var compressionLevel: Int32
    /// Verify every block checksum of every segment when opening (quarantine on mismatch).
    public var verifyBlocksOnOpen: Bool
    /// Flush and compact on a background thread (writers are not stalled). False runs them
    /// inline in the write that crosses the threshold, which simulations use to stay
    /// reproducible from their seed.
    public var backgroundMaintenance: Bool

    public init(fsyncPolicy: FsyncPolicy = .perBatch, maxChunkBytes: Int = 64 << 10, walFlushBytes: Int = 16 << 20,
                compactionGarbageRatio: Double = 0.3, compactionMaxSegments: Int = 8, compressionLevel: Int32 = 1,
                verifyBlocksOnOpen: Bool = true, backgroundMaintenance: Bool = true) {
        self.fsyncPolicy = fsyncPolicy
        self.maxChunkBytes = maxChunkBytes
        self.walFlushBytes = walFlushBytes
        self.compactionGarbageRatio = compactionGarbageRatio
        self.compactionMaxSegments = compactionMaxSegments
        self.compressionLevel = compressionLevel
        self.verifyBlocksOnOpen = verifyBlocksOnOpen
        self.backgroundMaintenance = backgroundMaintenance
    }

    public static let `default` = PersistentSettings()
}
