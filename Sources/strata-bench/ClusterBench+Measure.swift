import Foundation
import StrataCore
import StrataWire

extension ClusterBench {
    struct IngestFigures {
        var documents: UInt64 = 0
        var chunks: UInt64 = 0
        var tokens: UInt64 = 0
        var seconds: Double = 0
        var tokensPerSecond: Double { Double(tokens) / seconds }
        var chunksPerSecond: Double { Double(chunks) / seconds }
    }

    struct RecoveryFigures {
        let detectionSeconds: Double
        let restoreSeconds: Double
    }

    static let namespace = "bench"

    /// `streams` concurrent Ingest calls, one batch each, until the acknowledged tokens reach
    /// the target. The clock covers every call, from the first send to the last summary.
    func ingestCorpus(_ corpus: ClusterCorpus, client: ClusterClient) async throws -> IngestFigures {
        try await client.createNamespace(Self.namespace, tokenizer: TokenizerKind(rawValue: tokenizer)!, dimension: dimension)
        let target = UInt64(tokens)
        let clock = ContinuousClock()
        let start = clock.now
        let total = try await withThrowingTaskGroup(of: IngestFigures.self) { group in
            let progress = IngestProgress()
            // At least ~8 calls per stream (about 4 bytes a token), so the last ones overshoot the target little.
            let bytesPerCall = min(batchBytes, max(64 << 10, tokens * 4 / (streams * 8)))
            for _ in 0..<streams {
                group.addTask {
                    var mine = IngestFigures()
                    while progress.tokens() < target {
                        let summary = try await client.ingest(namespace: Self.namespace, batches: [corpus.nextBatch(bytes: bytesPerCall)])
                        if let rejected = summary.rejected.first {
                            throw BenchFailure("the coordinator rejected \(rejected.documentID): \(rejected.reason)")
                        }
                        mine.documents += summary.documents
                        mine.chunks += summary.chunks
                        mine.tokens += summary.tokens
                        progress.add(summary.tokens)
                    }
                    return mine
                }
            }
            var total = IngestFigures()
            for try await part in group {
                total.documents += part.documents
                total.chunks += part.chunks
                total.tokens += part.tokens
            }
            return total
        }
        var figures = total
        figures.seconds = (clock.now - start).seconds
        print("ingested \(figures.documents) documents, \(figures.chunks) chunks, \(figures.tokens) tokens in \(format(figures.seconds, 2)) s through \(streams) Ingest streams")
        return figures
    }

    /// Sequential queries (one client, the usual agent pattern): warm-up, then the timed ones.
    /// Top-10 with an 8,192-token assembly; hybrid queries carry the synthetic vector of the
    /// document their text was taken from.
    func queryLatency(corpus: ClusterCorpus, client: ClusterClient, mode: QueryMode) async throws -> LatencySummary {
        let asked = corpus.queries(count: warmup + queries)
        let clock = ContinuousClock()
        var latencies: [Double] = []
        var degraded = 0
        var empty = 0
        var assembledTokens = 0
        let start = clock.now
        for (index, query) in asked.enumerated() {
            var vector: [Float] = []
            if mode == .hybrid {
                guard let vectors = corpus.vectors else { throw BenchFailure("hybrid queries need the synthetic vectors (--dimension > 0)") }
                vector = vectors.queryVector(document: query.document, index: index)
            }
            let request = QueryRequest(namespace: Self.namespace, text: query.text, vector: vector, mode: mode, topK: 10, tokenBudget: 8192)
            let t0 = clock.now
            let answer = try await client.query(request)
            let elapsed = (clock.now - t0).seconds
            guard index >= warmup else { continue }
            latencies.append(elapsed)
            if answer.header?.degraded ?? true { degraded += 1 }
            if (answer.summary?.passages ?? 0) == 0 { empty += 1 }
            assembledTokens += Int(answer.summary?.tokens ?? 0)
        }
        let summary = LatencySummary(latencies: latencies, seconds: (clock.now - start).seconds)
        print("\(mode): queried \(latencies.count) times after \(warmup) warm-up queries: \(degraded) degraded, \(empty) empty, mean assembled context \(latencies.isEmpty ? 0 : assembledTokens / latencies.count) tokens")
        return summary
    }

    /// SIGKILLs the last worker, then polls the coordinator until it marks it dead and until
    /// every slot has R up-to-date replicas again on the two survivors.
    static func measureRecovery(nodes: ChildNodes, client: ClusterClient, timeout: Duration = .seconds(300)) async throws -> RecoveryFigures {
        let victim = nodes.workers[nodes.workers.count - 1]
        let clock = ContinuousClock()
        let killed = clock.now
        nodes.kill(victim)
        var dead: ContinuousClock.Instant?
        let deadline = killed + timeout
        while clock.now < deadline {
            guard let status = try? await client.status() else {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            let now = clock.now
            if dead == nil, status.nodes.contains(where: { $0.address == victim.address && $0.state == .dead }) {
                dead = now
                print("the coordinator marked \(victim.name) dead \(format((now - killed).seconds, 2)) s after the SIGKILL; \(status.slotsUnderReplicated) slots under-replicated")
            }
            if let dead, ClusterClient.isFullyReplicated(status, workers: 2) {
                return RecoveryFigures(detectionSeconds: (dead - killed).seconds, restoreSeconds: (now - dead).seconds)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchFailure("full replication was not restored within \(timeout) of the SIGKILL")
    }

    /// Tokens acknowledged so far, shared by the ingest streams.
    final class IngestProgress: @unchecked Sendable {
        private let lock = NSLock()
        private var total: UInt64 = 0
        func add(_ tokens: UInt64) { lock.lock(); total += tokens; lock.unlock() }
        func tokens() -> UInt64 { lock.lock(); defer { lock.unlock() }; return total }
    }
}
