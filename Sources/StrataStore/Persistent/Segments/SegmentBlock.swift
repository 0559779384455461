import CStrataSupport
import StrataCore

/// One block of a segment being built: the raw bytes of its bodies and, once sealed, the
/// bytes stored on disk with their checksum (see `SegmentFormat`).
///
/// A builder keeps its blocks and reuses their buffers from round to round: allocating fresh
/// 32 KiB buffers for every block made a flush spend as long in page faults as in zstd.
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

    var raw: [UInt8] = []
    var bodies: [Body] = []
    /// zstd output; only the first `compressedCount` bytes are meaningful.
    private var output: [UInt8] = []
    private var compressedCount = 0
    private(set) var useZstd = false
    private(set) var crc: UInt32 = 0

    init() {
        raw.reserveCapacity(SegmentFormat.blockTarget + 4096)
    }

    /// Compresses the block (kept raw when zstd does not make it smaller) and checksums
    /// `u32 raw length | u8 codec | stored bytes`. Touches nothing shared but `compressor`.
    mutating func seal(with compressor: ZstdCompressor) {
        let bound = strata_zstd_bound(raw.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: max(bound, strata_zstd_bound(SegmentFormat.blockTarget + 4096))) }
        compressedCount = compressor.compress(raw, into: &output)
        useZstd = compressedCount < raw.count
        let seed = Checksum.crc32c(head)
        crc = withStored { Checksum.crc32c($0, seed: seed) }
    }

    /// The payload's first five bytes: raw length and codec.
    var head: [UInt8] {
        var w = ByteWriter(capacity: 8)
        w.u32(UInt32(raw.count))
        w.u8(useZstd ? 1 : 0)
        return w.bytes
    }

    /// The bytes stored after the head (compressed or raw), valid after `seal`.
    func withStored<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        useZstd ? output.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<compressedCount])) } : raw.withUnsafeBytes(body)
    }

    /// Empties the block for the next round, keeping its buffers.
    mutating func reset() {
        raw.removeAll(keepingCapacity: true)
        bodies.removeAll(keepingCapacity: true)
        compressedCount = 0
        useZstd = false
        crc = 0
    }
}
