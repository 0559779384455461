import StrataCore

/// One piece of a document, cut by `Chunker`, with where it came from.
public struct TextChunk: Sendable, Hashable {
    /// The chunk's text: exactly the document's bytes `provenance.byteStart..<byteEnd`.
    public var text: String
    public var provenance: ChunkProvenance

    public init(text: String, provenance: ChunkProvenance) {
        self.text = text
        self.provenance = provenance
    }
}
