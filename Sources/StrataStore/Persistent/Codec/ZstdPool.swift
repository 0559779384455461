import Synchronization

/// A small pool of decompression contexts so concurrent readers don't serialize on one.
final class ZstdPool: Sendable {
    private let free = Mutex<[ZstdDecompressorBox]>([])

    func withDecompressor<R, E: Error>(_ body: (ZstdDecompressor) throws(E) -> R) throws(E) -> R {
        let box = free.withLock { $0.popLast() } ?? ZstdDecompressorBox(ZstdDecompressor())
        defer { free.withLock { if $0.count < 8 { $0.append(box) } } }
        return try body(box.value)
    }
}
