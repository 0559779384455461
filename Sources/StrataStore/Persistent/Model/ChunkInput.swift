import StrataCore

/// One chunk of a document as a writer hands it to the store.
///
/// The text is kept as raw bytes so that invalid UTF-8 coming from outside is caught by the
/// store's validation (with a clear error) instead of being repaired silently on the way in.
public struct ChunkInput: Sendable, Equatable {
    public var utf8: [UInt8]
    public var tokenCount: Int
    public var provenance: ChunkProvenance
    public var vector: [Float]?

    public init(utf8: [UInt8], tokenCount: Int, provenance: ChunkProvenance, vector: [Float]? = nil) {
        self.utf8 = utf8
        self.tokenCount = tokenCount
        self.provenance = provenance
        self.vector = vector
    }

    public init(text: String, tokenCount: Int, provenance: ChunkProvenance, vector: [Float]? = nil) {
        self.init(utf8: Array(text.utf8), tokenCount: tokenCount, provenance: provenance, vector: vector)
    }
}
