import StrataCore

/// Where a chunk body lives on the persistent tier.
enum BlobLocation: Sendable, Equatable {
    /// Still only in the WAL; the body is held in the memtable until the next flush.
    case memtable
    /// In a segment: the compressed block holding it (checksum verified on every read).
    case segment(id: UInt64, block: BlockAddress)
}

/// One deduplicated chunk body and how many document chunks reference it.
struct BlobEntry: Sendable, Equatable {
    var namespace: String
    var hash: ContentHash
    var tokenCount: Int
    var textBytes: Int
    var vectorDimension: Int
    var refCount: Int
    var location: BlobLocation

    var segmentID: UInt64? {
        if case .segment(let id, _) = location { return id }
        return nil
    }
}

/// A body's place in a segment: the block (offset, length, checksum of its frame payload)
/// and where the body starts inside the block once decompressed.
struct BlockAddress: Sendable, Equatable, Hashable {
    var offset: Int
    var length: Int
    var crc: UInt32
    var inner: Int
}

extension BlobEntry {
    /// Bytes of the body once decompressed: text, then the FP16 vector.
    var rawBytes: Int { textBytes + vectorDimension * 2 }
}
