/// The shape of a BERT encoder (what a model's config.json says).
public struct BertConfiguration: Sendable, Equatable {
    public var vocabularySize: Int
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var intermediate: Int
    public var maximumPositions: Int
    public var layerNormEpsilon: Float

    public var headSize: Int { hidden / heads }

    /// all-MiniLM-L6-v2 (nreimers/MiniLM-L6-H384-uncased fine-tuned by sentence-transformers).
    public static let miniLML6 = BertConfiguration(
        vocabularySize: 30_522, hidden: 384, layers: 6, heads: 12, intermediate: 1_536, maximumPositions: 512,
        layerNormEpsilon: 1e-12)
}
