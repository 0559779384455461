import Dispatch

/// Seals (compresses and checksums) segment blocks on several threads, one zstd context per
/// thread. Compression is most of a flush's CPU time, and a flush runs while the writers
/// mostly wait on fsync, so the other cores are free for it.
enum ParallelBlockSealer {
    /// Seals the first `count` blocks.
    static func seal(_ blocks: inout [SegmentBlock], count: Int, compressors: [ZstdCompressor]) {
        precondition(!compressors.isEmpty, "at least one compressor")
        let workers = min(compressors.count, count)
        guard workers > 1 else {
            for i in 0..<count { blocks[i].seal(with: compressors[0]) }
            return
        }
        blocks.withUnsafeMutableBufferPointer { all in
            let buffer = UnsafeMutableBufferPointer(rebasing: all[0..<count])
            // Each worker writes only the blocks i ≡ w (mod workers) and uses only its own
            // compressor, so nothing is shared between threads.
            let shared = Unshared(buffer: buffer, compressors: compressors)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < shared.buffer.count {
                    shared.buffer[i].seal(with: shared.compressors[w])
                    i += workers
                }
            }
        }
    }

    /// Hands the buffer and the compressors to the workers (partitioned as described above).
    private struct Unshared: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<SegmentBlock>
        let compressors: [ZstdCompressor]
    }
}
