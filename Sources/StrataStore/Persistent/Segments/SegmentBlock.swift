import StrataCore

/// One block of a segment being built: the raw bytes of its bodies and, once compressed, the
/// bytes stored on disk with their checksum (see `SegmentFormat`).
struct SegmentBlock {
    /// A body placed in the block: where its bytes start inside the raw block.
    struct Body {
        var namespace: String
        var hash: ContentHash
        var tokens: Int
        var textBytes: Int
        var dimension: Int
        var inner: Int
    }

    var raw: [UInt8]
    var bodies: [Body]
    private(set) var stored: [UInt8] = []
    private(set) var useZstd = false
    private(set) var crc: UInt32 = 0

    init(raw: [UInt8], bodies: [Body]) {
        self.raw = raw
        self.bodies = bodies
    }

    /// Compresses the block (kept raw when zstd does not make it smaller) and checksums
    /// `u32 raw length | u8 codec | stored bytes`. Touches nothing shared but `compressor`.
    mutating func seal(with compressor: ZstdCompressor) {
        let compressed = compressor.compress(raw)
        useZstd = compressed.count < raw.count
        stored = useZstd ? compressed : raw
        crc = Checksum.crc32c(stored, seed: Checksum.crc32c(head))
    }

    /// The payload's first five bytes: raw length and codec.
    var head: [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.u32(UInt32(raw.count))
        w.u8(useZstd ? 1 : 0)
        return w.bytes
    }
}
