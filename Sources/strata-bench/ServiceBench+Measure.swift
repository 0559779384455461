import Foundation
import StrataCore
import StrataRPC
import StrataStore
import StrataWire

extension ServiceBench {
    typealias ClusterClient = ClusterBench.ClusterClient
    typealias ChildNodes = ClusterBench.ChildNodes
    static let namespace = "bench"

    func measure(_ nodes: ChildNodes, corpus: ServiceCorpus) async throws -> [String: Any] {
        try nodes.startCoordinator(settings: ClusterBench.coordinatorSettings + nodeSettings, replicas: replicas)
        for _ in 0..<workers { try nodes.startWorker(settings: nodeSettings) }
        let client = ClusterClient(address: nodes.coordinatorAddress)
        try await client.waitFullyReplicated(workers: workers, timeout: .seconds(60))
        var report: [String: Any] = [
            "workers": workers, "replicas": replicas, "documents": corpus.documents.count, "chunks": corpus.chunkCount,
            "tokens": corpus.tokens, "text_bytes": corpus.textBytes, "synthetic_chunks": corpus.syntheticChunks,
            "dimension": corpus.dimension,
        ]
        report["ingest"] = try await ingest(corpus, client: client)
        report["ivf_build_wait_seconds"] = try await Self.waitForVectorIndexBuilds(nodes)
        report["memory_after_ingest"] = try await memory(nodes, client: client)
        if let queries {
            let lines = try ServiceCorpus.loadQueries(queries)
            var byMode: [String: Any] = [:]
            for mode in modeList { byMode[mode] = try await queryLatency(mode, lines, corpus: corpus, client: client, nodes: nodes) }
            report["queries"] = byMode
            var assembled: [String: Any] = [:]
            for budget in budgetList { assembled[String(budget)] = try await assemble(budget: budget, lines, client: client, nodes: nodes) }
            if !assembled.isEmpty { report["assembly"] = assembled }
        }
        report["memory"] = try await memory(nodes, client: client)
        // A restart or recovery that fails is a finding, not the end of the run: it is
        // reported with what the workers logged about it, and the other figures are kept.
        if restart {
            do { report["restart"] = try await restartFigures(nodes, client: client) } catch {
                report["restart"] = ["error": "\(error)", "worker_log_warnings": Self.logWarnings(nodes)]
                print("restart FAILED: \(error)")
            }
        }
        if recovery {
            do {
                let figures = try await ClusterBench.measureRecovery(nodes: nodes, client: client, timeout: .seconds(recoveryTimeout))
                report["recovery"] = ["detection_seconds": figures.detectionSeconds, "restore_seconds": figures.restoreSeconds,
                                      "total_seconds": figures.detectionSeconds + figures.restoreSeconds]
                print("recovery: dead after \(format(figures.detectionSeconds, 2)) s, R replicas again \(format(figures.restoreSeconds, 2)) s later")
            } catch {
                report["recovery"] = ["error": "\(error)", "worker_log_warnings": Self.logWarnings(nodes)]
                print("recovery FAILED: \(error)")
            }
        }
        return report
    }

    /// `streams` concurrent Ingest calls over the batches; the clock runs from the first send
    /// to the last acknowledgement (durable on W of R replicas).
    func ingest(_ corpus: ServiceCorpus, client: ClusterClient) async throws -> [String: Any] {
        let create = CreateNamespaceRequest(name: Self.namespace, dimension: UInt32(corpus.dimension), tokenizer: .cl100k, metric: .cosine)
        _ = try await client.channel.unary(MethodPath.coordinatorCreateNamespace, create.serializedBytes(), options: CallOptions(timeout: .seconds(30)))
        let queue = BatchQueue(corpus.batches(bytes: batchBytes))
        let clock = ContinuousClock()
        let start = clock.now
        let totals = try await withThrowingTaskGroup(of: (UInt64, UInt64, UInt64, UInt64).self) { group in
            for _ in 0..<streams {
                group.addTask {
                    var sums: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                    while let batch = queue.next() {
                        let summary = try await client.ingest(namespace: Self.namespace, batches: [batch])
                        if let rejected = summary.rejected.first {
                            throw ClusterBench.BenchFailure("the coordinator rejected \(rejected.documentID): \(rejected.reason)")
                        }
                        sums = (sums.0 + summary.documents, sums.1 + summary.chunks, sums.2 + summary.tokens, sums.3 + summary.duplicateChunks)
                    }
                    return sums
                }
            }
            var all: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            for try await part in group { all = (all.0 + part.0, all.1 + part.1, all.2 + part.2, all.3 + part.3) }
            return all
        }
        let seconds = (clock.now - start).seconds
        print("ingest: \(totals.0) documents, \(totals.1) chunks, \(totals.2) tokens in \(format(seconds, 2)) s = "
            + "\(format(Double(totals.2) / seconds, 0)) tokens/s, \(format(Double(totals.1) / seconds, 0)) chunks/s (\(totals.3) duplicate chunks)")
        return ["documents": totals.0, "chunks": totals.1, "tokens": totals.2, "duplicate_chunks": totals.3, "seconds": seconds,
                "tokens_per_second": Double(totals.2) / seconds, "chunks_per_second": Double(totals.1) / seconds,
                "streams": streams, "batch_bytes": batchBytes]
    }

    /// Sequential top-10 queries of one mode (one client, the usual agent pattern), warm-up
    /// first. Records the client's wall time, the coordinator's search time, the chunks
    /// returned in rank order, and the CPU time the nodes spent per timed query (user +
    /// system, all processes): on a shared machine the latency is mostly waiting for a core,
    /// the CPU time is the work. Also the nodes' context switches per timed query (each
    /// thread wake-up on the query's path is one).
    func queryLatency(_ mode: String, _ lines: [ServiceCorpus.QueryLine], corpus: ServiceCorpus, client: ClusterClient,
                      nodes: ChildNodes) async throws -> [String: Any] {
        let queryMode: QueryMode = mode == "lexical" ? .lexical : mode == "vector" ? .vector : .hybrid
        let clock = ContinuousClock()
        var latencies: [Double] = []
        var searchMs: [Double] = []
        var results: [[Int]] = []
        var degraded = 0
        let start = clock.now
        var timedStart = start
        var cpuStart = Self.cpuSeconds(nodes)
        var switchesStart = Self.contextSwitches(nodes)
        for (index, line) in lines.enumerated() {
            if index == warmup {
                timedStart = clock.now
                cpuStart = Self.cpuSeconds(nodes)
                switchesStart = Self.contextSwitches(nodes)
            }
            let request = QueryRequest(namespace: Self.namespace, text: queryMode == .vector ? "" : line.text,
                                       vector: queryMode == .lexical ? [] : (line.vector ?? []), mode: queryMode, topK: 10,
                                       tokenBudget: 16_384, order: .score)
            let t0 = clock.now
            let answer = try await client.queryPassages(request)
            let elapsed = (clock.now - t0).seconds
            guard index >= warmup else { continue }
            latencies.append(elapsed)
            searchMs.append(answer.summary?.searchMs ?? 0)
            if answer.header?.degraded ?? true { degraded += 1 }
            results.append(answer.passages.flatMap { corpus.chunkIndexes(of: $0.provenance) })
        }
        let wall = (clock.now - timedStart).seconds
        let cpuMs = (Self.cpuSeconds(nodes) - cpuStart) * 1000 / Double(max(1, latencies.count))
        let switches = Double(Self.switchesSince(switchesStart, nodes)) / Double(max(1, latencies.count))
        let summary = LatencySummary(latencies: latencies, seconds: wall)
        let search = LatencySummary(latencies: searchMs.map { $0 / 1000 }, seconds: wall)
        print("\(mode) top-10: \(summary) over \(latencies.count) queries (coordinator search p50 \(format(search.p50Microseconds / 1000, 2)) ms; "
            + "nodes' CPU \(format(cpuMs, 2)) ms and \(format(switches, 1)) context switches per query); \(degraded) degraded")
        return ["queries": latencies.count, "warmup": warmup, "p50_ms": summary.p50Microseconds / 1000, "p99_ms": summary.p99Microseconds / 1000,
                "cpu_ms_per_query": cpuMs, "context_switches_per_query": switches,
                "qps": summary.callsPerSecond, "search_p50_ms": search.p50Microseconds / 1000, "search_p99_ms": search.p99Microseconds / 1000,
                "degraded": degraded, "results": results]
    }

    /// Hybrid queries assembling up to `budget` tokens (score order), after 2 warm-up ones.
    func assemble(budget: Int, _ lines: [ServiceCorpus.QueryLine], client: ClusterClient, nodes: ChildNodes) async throws -> [String: Any] {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        var cpuStart = Self.cpuSeconds(nodes)
        var assembleMs: [Double] = []
        var tokens: [Double] = []
        let topK = Self.assemblyTopK(budget: budget)
        for (index, line) in lines.prefix(assemblyQueries + 2).enumerated() {
            let request = QueryRequest(namespace: Self.namespace, text: line.text, vector: line.vector ?? [],
                                       mode: (line.vector ?? []).isEmpty ? .lexical : .hybrid, topK: UInt32(topK), tokenBudget: UInt32(budget))
            if index == 2 { cpuStart = Self.cpuSeconds(nodes) }
            let t0 = clock.now
            let answer = try await client.queryPassages(request)
            let elapsed = (clock.now - t0).seconds
            guard index >= 2 else { continue }
            latencies.append(elapsed)
            assembleMs.append(answer.summary?.assembleMs ?? 0)
            tokens.append(Double(answer.summary?.tokens ?? 0))
        }
        let summary = LatencySummary(latencies: latencies, seconds: latencies.reduce(0, +))
        let server = LatencySummary(latencies: assembleMs.map { $0 / 1000 }, seconds: 1)
        let cpuMs = (Self.cpuSeconds(nodes) - cpuStart) * 1000 / Double(max(1, latencies.count))
        let meanTokens = tokens.reduce(0, +) / Double(max(1, tokens.count))
        print("assemble \(budget) tokens (top-\(topK) hybrid): \(summary); coordinator assembly p50 \(format(server.p50Microseconds / 1000, 2)) ms; "
            + "nodes' CPU \(format(cpuMs, 2)) ms per query; mean context \(format(meanTokens, 0)) tokens")
        return ["budget": budget, "top_k": topK, "queries": latencies.count, "p50_ms": summary.p50Microseconds / 1000, "cpu_ms_per_query": cpuMs,
                "p99_ms": summary.p99Microseconds / 1000, "assemble_p50_ms": server.p50Microseconds / 1000,
                "assemble_p99_ms": server.p99Microseconds / 1000, "mean_tokens": meanTokens, "min_tokens": tokens.min() ?? 0]
    }

    /// Tier counters summed over the workers, walBytes + segmentBytes, and resident memory.
    func memory(_ nodes: ChildNodes, client: ClusterClient) async throws -> [String: Any] {
        // The coordinator knows the workers' counters from their heartbeats: wait for fresh ones.
        try await Task.sleep(for: .seconds(2))
        let status = try await client.status()
        var tiers: [String: [String: Int]] = [:]
        var disk = 0
        for node in status.nodes where node.role == .worker {
            for tier in node.tiers {
                var entry = tiers[tier.tier.rawValue] ?? ["entries": 0, "tokens": 0, "bytes": 0, "capacity_bytes": 0]
                entry["entries"]! += tier.entries
                entry["tokens"]! += tier.tokens
                entry["bytes"]! += tier.bytesUsed
                entry["capacity_bytes"]! += tier.capacityBytes
                tiers[tier.tier.rawValue] = entry
            }
            disk += Int(node.walBytes + node.segmentBytes)
        }
        let workerRSS = nodes.workers.map { Self.residentBytes(pid: $0.process.processIdentifier) }
        let coordinatorRSS = nodes.coordinator.map { Self.residentBytes(pid: $0.process.processIdentifier) } ?? 0
        let line = tiers.keys.sorted().map { "\($0) \(format(Double(tiers[$0]!["bytes"]!) / 1e6, 1)) MB / \(tiers[$0]!["tokens"]!) tokens" }.joined(separator: ", ")
        print("memory: \(line); persistent WAL+segments \(format(Double(disk) / 1e6, 1)) MB; worker RSS \(workerRSS.map { format(Double($0) / 1e6, 0) }.joined(separator: "/")) MB, coordinator RSS \(format(Double(coordinatorRSS) / 1e6, 0)) MB")
        return ["tiers": tiers, "persistent_bytes": disk, "worker_rss_bytes": workerRSS, "coordinator_rss_bytes": coordinatorRSS]
    }

    /// Waits until every IVF index build a worker logged has finished (built in the background
    /// once a namespace crosses `worker.ivf_min_vectors`; the exact scan serves meanwhile), so
    /// that query figures are of one path. Returns the seconds waited (0 without IVF).
    static func waitForVectorIndexBuilds(_ nodes: ChildNodes, timeout: Double = 600) async throws -> Double {
        let start = Date()
        func count(_ text: String, _ phrase: String) -> Int { text.components(separatedBy: phrase).count - 1 }
        while true {
            let pending = nodes.workers.contains { worker in
                let text = (try? String(contentsOfFile: worker.log, encoding: .utf8)) ?? ""
                return count(text, "ivf index building") > count(text, "ivf index ready") + count(text, "ivf index not built")
            }
            let waited = Date().timeIntervalSince(start)
            if !pending {
                if waited > 0.5 { print("ivf: index builds finished after \(format(waited, 1)) s") }
                return waited
            }
            guard waited < timeout else { throw ClusterBench.BenchFailure("ivf index builds still running after \(Int(timeout)) s") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The distinct warning and error lines of the workers' logs (timestamps cut), at most 5.
    static func logWarnings(_ nodes: ChildNodes) -> [String] {
        var seen: [String] = []
        for worker in nodes.workers {
            let text = (try? String(contentsOfFile: worker.log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.contains(" warning ") || line.contains(" error ") {
                let body = line.split(separator: " ", maxSplits: 1).last.map(String.init) ?? String(line)
                if !seen.contains(body) { seen.append(body) }
                if seen.count >= 5 { return seen }
            }
        }
        return seen
    }

    /// CPU seconds (user + system) the coordinator and the workers have used so far.
    static func cpuSeconds(_ nodes: ChildNodes) -> Double {
        let pids = nodes.workers.map(\.process.processIdentifier) + (nodes.coordinator.map { [$0.process.processIdentifier] } ?? [])
        return pids.reduce(0) { $0 + cpuSeconds(pid: $1) }
    }

    /// Context switches (voluntary and not) of every thread of the coordinator and the
    /// workers so far, by "pid/tid", from /proc/PID/task/*/status.
    static func contextSwitches(_ nodes: ChildNodes) -> [String: Int] {
        let pids = nodes.workers.map(\.process.processIdentifier) + (nodes.coordinator.map { [$0.process.processIdentifier] } ?? [])
        var counts: [String: Int] = [:]
        for pid in pids {
            for thread in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)) ?? ""
                counts["\(pid)/\(thread)"] = status.split(separator: "\n").reduce(0) { count, line in
                    guard line.contains("ctxt_switches:") else { return count }
                    return count + (Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0)
                }
            }
        }
        return counts
    }

    /// The nodes' context switches since `start`, thread by thread: a thread that exited in
    /// between takes its count with it (summing whole processes then went negative), one
    /// started in between counts from zero.
    static func switchesSince(_ start: [String: Int], _ nodes: ChildNodes) -> Int {
        contextSwitches(nodes).reduce(0) { total, entry in total + max(0, entry.value - (start[entry.key] ?? 0)) }
    }

    /// utime + stime of /proc/PID/stat (fields 14 and 15, in clock ticks); 0 when unreadable.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After the command name's ')': field 3 (state) onwards.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func residentBytes(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }

    /// The last worker stopped gracefully and started again: first with the warm tier it
    /// left (its memory tiers hold what the queries before read), then with its warm tier
    /// destroyed (cold: everything is read back from the persistent tier). Ready = the worker logs that it serves; replicated = the coordinator
    /// sees every slot with R up-to-date replicas again.
    func restartFigures(_ nodes: ChildNodes, client: ClusterClient) async throws -> [String: Any] {
        var figures: [String: Any] = [:]
        let index = nodes.workers.count - 1
        for kind in ["warm", "cold"] {
            let worker = nodes.workers[index]
            nodes.terminate(worker)
            if kind == "cold" { ChunkStore.destroyWarmTier(directory: worker.dataDirectory + "/store") }
            let clock = ContinuousClock()
            let start = clock.now
            try nodes.restartWorker(index, settings: nodeSettings)
            let ready = (clock.now - start).seconds
            // Replicated: the coordinator has heard from the new incarnation (its uptime is
            // shorter than the time since the start) and every slot has R replicas.
            var status = try await client.status()
            while true {
                let elapsed = (clock.now - start).seconds
                if let node = status.nodes.first(where: { $0.address == worker.address }), node.uptimeSeconds <= elapsed + 0.05,
                   ClusterClient.isFullyReplicated(status, workers: workers) { break }
                guard elapsed < 300 else { throw ClusterBench.BenchFailure("the restarted worker was not back in full within 300 s") }
                try await Task.sleep(for: .milliseconds(20))
                status = try await client.status()
            }
            let replicated = (clock.now - start).seconds
            // A fresh heartbeat carries the restarted worker's tier counters.
            try await Task.sleep(for: .seconds(1.5))
            status = try await client.status()
            let warmEntries = status.nodes.first { $0.address == worker.address }?.tiers.first { $0.tier == .warm }?.entries ?? 0
            let log = (try? String(contentsOfFile: nodes.workers[index].log, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains("store ready") }) { print("  worker log: \(line)") }
            print("restart \(kind): ready after \(format(ready, 2)) s, fully replicated after \(format(replicated, 2)) s; warm tier holds \(warmEntries) entries")
            figures[kind] = ["ready_seconds": ready, "replicated_seconds": replicated, "warm_entries_after": warmEntries]
        }
        return figures
    }
}

/// Hands out batches to the ingest streams, each once.
final class BatchQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [[Document]]
    private var handedOut = 0
    init(_ batches: [[Document]]) { self.batches = batches }
    func next() -> [Document]? {
        lock.lock()
        defer { lock.unlock() }
        guard handedOut < batches.count else { return nil }
        handedOut += 1
        return batches[handedOut - 1]
    }
}
