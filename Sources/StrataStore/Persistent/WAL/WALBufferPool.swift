import Synchronization

/// Encode buffers for WAL frames, kept between batches.
///
/// A batch of a megabyte or more encoded into a fresh array costs a page fault per 4 KiB
/// (malloc hands such sizes back to the kernel when freed); reusing a few buffers avoids it.
/// Writers encode outside the engine's lock, so each takes its own buffer.
final class WALBufferPool: Sendable {
    private let free = Mutex<[[UInt8]]>([])
    /// Buffers larger than this are not kept (one huge batch must not pin its memory).
    static let keepLimit = 16 << 20

    /// An empty buffer, with capacity from an earlier batch when one is free.
    func take() -> [UInt8] {
        free.withLock { $0.popLast() } ?? []
    }

    /// Takes a buffer back once its frame is written (leaving `buffer` empty). Swapping it
    /// out keeps it uniquely referenced, so emptying it keeps the allocation instead of copying.
    func give(_ buffer: inout [UInt8]) {
        var kept: [UInt8] = []
        swap(&kept, &buffer)
        guard kept.capacity <= Self.keepLimit else { return }
        kept.removeAll(keepingCapacity: true)
        free.withLock { if $0.count < 4 { $0.append(kept) } }
    }
}
