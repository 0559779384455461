/// One passage of an assembled context: one chunk, or several adjacent or overlapping chunks
/// of the same document merged, with its provenance.
public struct ContextPassage: Sendable, Equatable {
    public var documentID: String
    /// Half-open UTF-8 byte range in the document.
    public var byteStart: Int
    public var byteEnd: Int
    /// 1-based inclusive line range.
    public var lineStart: Int
    public var lineEnd: Int
    /// The best score among the merged chunks.
    public var score: Double
    /// How many candidates were merged into this passage.
    public var chunkCount: Int
    /// The document text of the byte range.
    public var text: String
    /// The rendered block (header line and text) as it appears in the context.
    public var rendered: String
    /// Tokens of `rendered`, by the namespace's tokenizer.
    public var tokens: Int

    public init(
        documentID: String, byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int, score: Double,
        chunkCount: Int, text: String, rendered: String, tokens: Int
    ) {
        self.documentID = documentID
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
        self.score = score
        self.chunkCount = chunkCount
        self.text = text
        self.rendered = rendered
        self.tokens = tokens
    }
}
