import StrataCore
import StrataWire

/// The content hash the coordinator keeps with each document (ListDocuments reports it), so a
/// client can tell which files changed without sending them: XXH3-128 of the document's UTF-8
/// text as 32 lowercase hex digits -- for a document sent as chunks, of its chunk texts
/// concatenated in order. Vectors and metadata are not part of it.
enum DocumentContentHash {
    static func of(_ document: Document) -> String {
        if document.chunks.isEmpty { return ContentHash.of(document.text).description }
        return ContentHash.of(document.chunks.map(\.text).joined()).description
    }
}
