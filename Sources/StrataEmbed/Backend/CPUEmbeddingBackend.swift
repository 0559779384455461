import CStrataEmbed
import Foundation
import StrataCore
import Synchronization

/// The BERT forward pass on the CPU: matrix products on OpenBLAS (single-threaded per call),
/// element-wise kernels in C (AVX-512, AVX2 or portable).
///
/// - `embedNow` runs on the caller's thread with a forward pass taken from a small pool.
/// - `embedInBackground` splits the batch by tokens over `threads` threads of its own, each
///   lowered to SCHED_IDLE: bulk embedding uses only CPU time nothing else wants, so a node
///   that embeds behind ingest does not slow ingest or queries down.
public final class CPUEmbeddingBackend: EmbeddingBackend, @unchecked Sendable {
    public let model: EmbedderModel
    public let description: String
    let weights: BertWeights
    private let idlePasses = Mutex<[BertForwardPass]>([])
    private let workers: BackgroundThreads

    /// `threads`: background threads (0 means one per core). `idlePriority` false keeps them at
    /// normal priority (benchmarks that compare throughput with another process).
    public init(model: EmbedderModel, weights: BertWeights, threads: Int, idlePriority: Bool = true) throws(StrataError) {
        try BLASLibrary.load()
        self.model = model
        self.weights = weights
        let count = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
        workers = BackgroundThreads(count: count, weights: weights, idlePriority: idlePriority)
        let kernels = ["portable", "AVX2", "AVX-512"][Int(strata_embed_kernel_level())]
        description = "cpu (OpenBLAS \(BLASLibrary.coreName), \(kernels) kernels, \(count) background thread\(count == 1 ? "" : "s")"
            + (idlePriority ? " at idle priority)" : ")")
    }

    public func embedNow(_ sequences: [[Int32]]) throws(StrataError) -> [[Float]] {
        let pass = idlePasses.withLock { $0.popLast() } ?? BertForwardPass(weights: weights)
        defer { idlePasses.withLock { $0.append(pass) } }
        return pass.embed(sequences)
    }

    public func embedInBackground(_ sequences: [[Int32]]) async throws(StrataError) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        // Contiguous parts of about equal tokens, one per thread (order is kept by position).
        let total = sequences.reduce(0) { $0 + $1.count }
        let parts = min(workers.count, sequences.count)
        var ranges: [Range<Int>] = []
        var start = 0
        var seen = 0
        for (i, sequence) in sequences.enumerated() {
            seen += sequence.count
            if seen * parts >= total * (ranges.count + 1) || i == sequences.count - 1 {
                ranges.append(start..<(i + 1))
                start = i + 1
            }
        }
        let results = await withTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, range) in ranges.enumerated() {
                let part = Array(sequences[range])
                group.addTask { (index, await self.workers.run(part)) }
            }
            var byPart = [[[Float]]](repeating: [], count: ranges.count)
            for await (index, vectors) in group { byPart[index] = vectors }
            return byPart
        }
        return results.flatMap { $0 }
    }

    deinit { workers.stop() }
}
