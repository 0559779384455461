import StrataCore

/// The live state of one document: where it lives, when it was last written, its chunks
/// and its metadata.
struct DocumentState: Sendable, Equatable {
    var slot: UInt32
    var sequence: UInt64
    var chunks: [DocChunk]
    var metadata: DocumentMetadata = .empty
}

/// A deleted document, remembered so that a delta export can replay the deletion.
struct Tombstone: Sendable, Equatable {
    var slot: UInt32
    var sequence: UInt64
}
