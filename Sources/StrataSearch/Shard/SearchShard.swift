import StrataCore

/// The lexical and vector indexes over the chunks of one slot (or one worker).
///
/// A value type: the worker keeps it inside whatever serializes its mutations (an actor or a
/// lock) and searches a snapshot. Chunks live in slots numbered densely; both indexes and the
/// per-slot arrays below share that numbering, so a search needs no id translation.
/// Documents are upserted and deleted whole. Removal marks slots dead (statistics stay exact);
/// when dead slots pass `settings.compactionThreshold`, everything is renumbered at once.
public struct SearchShard: Sendable {
    public let settings: SearchSettings
    public let analyzer: CodeTermAnalyzer

    var refs: [ChunkRef] = []
    var metadata: [[String: String]] = []
    var alive: [Bool] = []
    var deadCount = 0
    var slotsByDocument: [String: [Int32]] = [:]
    var lexical = InvertedIndex()
    var vectors: VectorStorage?

    /// Throws `invalidArgument` naming the setting when `settings` is invalid.
    public init(settings: SearchSettings = SearchSettings(), analyzer: CodeTermAnalyzer = CodeTermAnalyzer())
        throws(StrataError)
    {
        try settings.validate()
        self.settings = settings
        self.analyzer = analyzer
        if let dimension = settings.vectorDimension {
            vectors = VectorStorage(dimension: dimension, metric: settings.metric)
        }
    }

    /// Live chunks.
    public var chunkCount: Int { alive.count - deadCount }
    /// Documents with at least one live chunk.
    public var documentCount: Int { slotsByDocument.count }
    /// Slots including dead ones not yet compacted away.
    public var slotCount: Int { alive.count }

    /// The live chunks of a document, in ordinal order.
    public func chunks(ofDocument documentID: String) -> [ChunkRef] {
        (slotsByDocument[documentID] ?? []).map { refs[Int($0)] }.sorted()
    }
}
