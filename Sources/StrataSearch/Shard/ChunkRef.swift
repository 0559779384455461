import StrataCore

/// A stable reference to one stored chunk, as the store can give it: the document it belongs
/// to, its ordinal inside that document, and the hash of its text.
///
/// The search indexes hold only these (never chunk text); context assembly fetches the text
/// from the store by reference.
public struct ChunkRef: Hashable, Sendable, Codable, Comparable {
    public var documentID: String
    /// 0-based position of the chunk inside its document.
    public var ordinal: Int32
    public var contentHash: ContentHash

    public init(documentID: String, ordinal: Int32, contentHash: ContentHash) {
        self.documentID = documentID
        self.ordinal = ordinal
        self.contentHash = contentHash
    }

    /// Document, then ordinal: the order of chunks in a corpus.
    public static func < (lhs: ChunkRef, rhs: ChunkRef) -> Bool {
        (lhs.documentID, lhs.ordinal, lhs.contentHash) < (rhs.documentID, rhs.ordinal, rhs.contentHash)
    }
}
