import StrataCore

/// A chunk as the memory tiers hold it: its content hash, text, exact token count and optional
/// embedding.
///
/// What a tier returns is its own reconstruction: the vector went through the tier's precision
/// (INT8 or FP16) and back to `Float`, so it is close to, not equal to, what was admitted.
public struct CachedChunk: Sendable, Equatable {
    public var key: ContentHash
    public var text: String
    public var tokenCount: Int
    public var vector: [Float]?

    public init(key: ContentHash, text: String, tokenCount: Int, vector: [Float]? = nil) {
        self.key = key
        self.text = text
        self.tokenCount = tokenCount
        self.vector = vector
    }
}
