import StrataCore

/// One ranked chunk offered to context assembly: its text (fetched from the store), where it
/// came from, and its search score.
public struct ContextCandidate: Sendable, Equatable {
    public var provenance: ChunkProvenance
    /// The chunk's text; its UTF-8 length must equal the provenance's byte range.
    public var text: String
    /// Higher is better; candidates are taken greedily in descending score.
    public var score: Double
    /// The text's token count if the store already has it (saves a count); assembly never
    /// trusts it for the budget, which is checked on the final rendered text.
    public var tokens: Int?

    public init(provenance: ChunkProvenance, text: String, score: Double, tokens: Int? = nil) {
        self.provenance = provenance
        self.text = text
        self.score = score
        self.tokens = tokens
    }
}
