import StrataCore

/// Where a chunk body lives on the persistent tier.
enum BlobLocation: Sendable, Equatable {
    /// Still only in the WAL; the body is held in the memtable until the next flush.
    case memtable
    /// In a segment: the block's offset, length and checksum (verified on every read).
    case segment(id: UInt64, offset: Int, length: Int, crc: UInt32)
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
        if case .segment(let id, _, _, _) = location { return id }
        return nil
    }
}
