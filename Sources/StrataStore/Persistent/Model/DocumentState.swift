/// The live state of one document: where it lives, when it was last written, its chunks.
struct DocumentState: Sendable, Equatable {
    var slot: UInt32
    var sequence: UInt64
    var chunks: [DocChunk]
}

/// A deleted document, remembered so that a delta export can replay the deletion.
struct Tombstone: Sendable, Equatable {
    var slot: UInt32
    var sequence: UInt64
}
