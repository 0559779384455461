/// Where a chunk came from inside its document.
public struct ChunkProvenance: Hashable, Sendable, Codable {
    /// The document id, usually a path relative to the ingested root.
    public var documentID: String
    /// Byte offsets into the document's UTF-8 text, half-open.
    public var byteStart: Int
    public var byteEnd: Int
    /// 1-based line numbers, inclusive.
    public var lineStart: Int
    public var lineEnd: Int

    public init(documentID: String, byteStart: Int, byteEnd: Int, lineStart: Int, lineEnd: Int) {
        self.documentID = documentID
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.lineStart = lineStart
        self.lineEnd = lineEnd
    }
}
