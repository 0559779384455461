import StrataCore

/// Layout of a segment file (all integers little-endian):
///
/// ```
/// header  16 B   "STRSEG01" | u32 format version | u32 crc32c(first 12 bytes)
/// blocks         [u32 length][u32 crc32c(payload)][payload] padded to 8; each holds the
///                bodies of ~`blockTarget` bytes of chunks, in document order:
///                payload = u32 raw length | u8 codec (0 raw, 1 zstd) | bytes
///                raw = for each body: text bytes, then its vector as FP16
/// index   frame  every body: namespace, hash, block offset, block length, block crc,
///                offset inside the raw block, tokens, text bytes, vector dimension
/// meta    frame  u32 raw length | zstd(meta records + slot sequence table)
/// footer  40 B   u64 index offset | u64 meta offset | u64 body count | u32 version
///                | u32 crc32c(first 28 bytes) | "STRSEGFT"
/// ```
///
/// Chunks are compressed together in blocks because zstd on one ~1 KB chunk finds little to
/// share; a block of a few dozen neighbouring chunks compresses several times better. The
/// index and meta frames are all that opening needs, so restart does not decompress text.
enum SegmentFormat {
    static let headerMagic: [UInt8] = Array("STRSEG01".utf8)
    static let footerMagic: [UInt8] = Array("STRSEGFT".utf8)
    static let headerSize = 16
    static let footerSize = 40
    static let blockHeaderSize = 8
    /// Raw bytes gathered before a block is sealed and compressed.
    static let blockTarget = 32 << 10

    static func fileName(_ id: UInt64) -> String { "seg-\(format6(id)).seg" }

    /// Parses "seg-NNNNNNNN.seg".
    static func id(fromFileName name: String) -> UInt64? {
        guard name.hasPrefix("seg-"), name.hasSuffix(".seg") else { return nil }
        return UInt64(name.dropFirst(4).dropLast(4))
    }
}

/// One entry of a segment's index.
struct SegmentIndexEntry: Sendable, Equatable {
    var namespace: String
    var hash: ContentHash
    var block: BlockAddress
    var tokenCount: Int
    var textBytes: Int
    var vectorDimension: Int
}
