/// One worker's share of a query: what `SlotSearchIndex.search` answers, in StrataSearch's
/// own terms (the node maps its `WorkerSearchRequest` to it). Zero and empty fields mean the
/// index's defaults; `SlotQueryPlan` checks every field.
public struct SlotQuery: Sendable {
    public var namespace: String
    /// The slots to search (repeats ignored).
    public var slots: [UInt32]
    public var text: String
    public var vector: [Float]
    /// nil: chosen from what the query has (text, vector, or both: hybrid).
    public var mode: SearchMode?
    /// 0: the index's default.
    public var topK: UInt32
    /// BM25's weight in hybrid fusion, 0...1 (vectors get the rest); 0: the index's default.
    public var lexicalWeight: Float
    /// Only documents whose id starts with this ("" admits all).
    public var documentPrefix: String
    /// Only documents holding every pair (`filter.metadata_equals`).
    public var metadataEquals: [(key: String, value: String)]
    /// The cluster-wide BM25 statistics of the query's terms; empty: this index's own.
    public var globalStatistics: TermCounts

    public init(namespace: String, slots: [UInt32], text: String = "", vector: [Float] = [], mode: SearchMode? = nil,
                topK: UInt32 = 0, lexicalWeight: Float = 0, documentPrefix: String = "",
                metadataEquals: [(key: String, value: String)] = [], globalStatistics: TermCounts = TermCounts()) {
        self.namespace = namespace
        self.slots = slots
        self.text = text
        self.vector = vector
        self.mode = mode
        self.topK = topK
        self.lexicalWeight = lexicalWeight
        self.documentPrefix = documentPrefix
        self.metadataEquals = metadataEquals
        self.globalStatistics = globalStatistics
    }
}
