import StrataCore

/// How `FileBatcher` walks and batches files for ingest.
public struct FileBatcherSettings: Sendable, Hashable {
    /// Files per batch (a batch also closes at `maxBatchBytes`).
    public var maxFilesPerBatch: Int
    /// Text bytes per batch, so a batch of large files cannot exhaust memory.
    public var maxBatchBytes: Int
    /// Files larger than this are skipped with a reason.
    public var maxFileBytes: Int
    /// How many leading bytes decide whether a file is binary.
    public var binaryProbeBytes: Int
    /// Entries below a root matching any of these are skipped (see `IgnorePattern`).
    public var ignorePatterns: [String]

    public init(maxFilesPerBatch: Int = 800, maxBatchBytes: Int = 64 << 20, maxFileBytes: Int = 8 << 20,
                binaryProbeBytes: Int = 8192, ignorePatterns: [String] = FileBatcherSettings.defaultIgnorePatterns) {
        self.maxFilesPerBatch = maxFilesPerBatch
        self.maxBatchBytes = maxBatchBytes
        self.maxFileBytes = maxFileBytes
        self.binaryProbeBytes = binaryProbeBytes
        self.ignorePatterns = ignorePatterns
    }

    public static let `default` = FileBatcherSettings()

    /// Version-control metadata, caches and build outputs: never worth a token.
    public static let defaultIgnorePatterns = [
        ".git/", ".hg/", ".svn/", "__pycache__/", "*.pyc", ".build/", "node_modules/", ".venv/", ".DS_Store",
    ]

    /// Throws `invalidArgument` naming the first field out of range.
    public func validate() throws {
        guard maxFilesPerBatch >= 1 else {
            throw StrataError.invalidArgument("maxFilesPerBatch must be at least 1, got \(maxFilesPerBatch)")
        }
        guard maxBatchBytes >= 1 else {
            throw StrataError.invalidArgument("maxBatchBytes must be at least 1, got \(maxBatchBytes)")
        }
        guard maxFileBytes >= 1 else {
            throw StrataError.invalidArgument("maxFileBytes must be at least 1, got \(maxFileBytes)")
        }
        guard binaryProbeBytes >= 1 else {
            throw StrataError.invalidArgument("binaryProbeBytes must be at least 1, got \(binaryProbeBytes)")
        }
    }
}
