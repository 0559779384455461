import StrataCore

/// A query to one shard: mode, text and/or vector, top-k, filter, optional fusion override.
public struct SearchRequest: Sendable {
    public var mode: SearchMode
    public var text: String?
    public var vector: [Float]?
    public var topK: Int
    public var filter: SearchFilter
    /// Overrides the shard's fusion settings for this query (hybrid only).
    public var fusion: FusionSettings?

    public init(
        mode: SearchMode, text: String? = nil, vector: [Float]? = nil, topK: Int = 10,
        filter: SearchFilter = .none, fusion: FusionSettings? = nil
    ) {
        self.mode = mode
        self.text = text
        self.vector = vector
        self.topK = topK
        self.filter = filter
        self.fusion = fusion
    }
}
