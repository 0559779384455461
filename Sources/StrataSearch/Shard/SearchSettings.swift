import StrataCore

/// Settings of one search shard, fixed at creation (they follow the namespace's).
public struct SearchSettings: Sendable, Equatable {
    public var bm25: BM25Parameters
    /// Vector dimension of the namespace; `nil` when it has no vectors.
    public var vectorDimension: Int?
    public var metric: VectorMetric
    /// The INT8 scan keeps `rescoreFactor × k` candidates (at least `rescoreMinimum`) for FP16 rescoring.
    public var rescoreFactor: Int
    public var rescoreMinimum: Int
    /// Largest top-k a query may ask for.
    public var maximumTopK: Int
    public var fusion: FusionSettings
    /// Compaction runs when dead slots exceed this fraction of all slots (and 1024 slots).
    public var compactionThreshold: Double

    public init(
        bm25: BM25Parameters = .default, vectorDimension: Int? = nil, metric: VectorMetric = .cosine,
        rescoreFactor: Int = 4, rescoreMinimum: Int = 40, maximumTopK: Int = 1000,
        fusion: FusionSettings = .default, compactionThreshold: Double = 0.25
    ) {
        self.bm25 = bm25
        self.vectorDimension = vectorDimension
        self.metric = metric
        self.rescoreFactor = rescoreFactor
        self.rescoreMinimum = rescoreMinimum
        self.maximumTopK = maximumTopK
        self.fusion = fusion
        self.compactionThreshold = compactionThreshold
    }

    /// Throws `invalidArgument` naming the field when a setting is out of range.
    public func validate() throws(StrataError) {
        try bm25.validate()
        try fusion.validate()
        if let d = vectorDimension, d <= 0 || d > 65_536 {
            throw .invalidArgument("vectorDimension is \(d); it must be within 1...65536")
        }
        guard rescoreFactor >= 1 else { throw .invalidArgument("rescoreFactor is \(rescoreFactor); it must be >= 1") }
        guard rescoreMinimum >= 0 else {
            throw .invalidArgument("rescoreMinimum is \(rescoreMinimum); it must be >= 0")
        }
        guard maximumTopK >= 1 else { throw .invalidArgument("maximumTopK is \(maximumTopK); it must be >= 1") }
        guard compactionThreshold > 0, compactionThreshold < 1 else {
            throw .invalidArgument("compactionThreshold is \(compactionThreshold); it must be within (0, 1)")
        }
    }
}
