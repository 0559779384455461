/// Moves a decompressor between threads; only one thread uses it at a time (pool discipline).
final class ZstdDecompressorBox: @unchecked Sendable {
    let value: ZstdDecompressor
    init(_ value: ZstdDecompressor) { self.value = value }
}
