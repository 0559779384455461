import ArgumentParser
import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataSearch
import StrataStore
import StrataWire

/// `strata-bench worker-restart`: a standalone worker (in this process, real gRPC) filled with
/// synthetic chunks and vectors, then stopped and started again, in turn:
/// - with its index snapshots and warm tier (a clean restart: what a worker does today),
/// - with its index snapshots, warm tier destroyed (cold),
/// - without snapshots (the index rebuilt from the store: the code before snapshots),
/// each timed from `WorkerNode.init` to SERVING and to the answer of a first vector query.
/// Runs alternate so the machine's noise falls on every variant alike; medians are reported.
struct WorkerRestartBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker-restart",
        abstract: "A worker's restart to SERVING and first query: from index snapshots (warm, cold) vs rebuilding the index.")

    @Option(help: "Tokens to store (estimated as bytes / 4).") var tokens: Int = 10_000_000
    @Option(help: "Bytes of text per chunk.") var chunkBytes: Int = 800
    @Option(help: "Vector dimension (0: none).") var dimension: Int = 384
    @Option(help: "Slots the chunks are spread over (the default cluster has 256; a worker of 3 with R = 2 holds ~170).") var slots: Int = 170
    @Option(help: "Restarts timed per variant.") var runs: Int = 5
    @Option(help: "A Python with chromadb (.venv-bench/bin/python): Chroma gets the same chunks and vectors, and its reopen + first query (a fresh process, scripts/bench/peers_chroma.py) is timed after each round.")
    var chromaPython: String?
    @Option(help: "Data directory; removed and recreated, and removed at the end.")
    var directory: String = FileManager.default.currentDirectoryPath + "/.strata-bench-restart"

    func run() async throws {
        try? FileManager.default.removeItem(atPath: directory)
        defer {
            ChunkStore.destroyWarmTier(directory: directory + "/store")
            try? FileManager.default.removeItem(atPath: directory)
        }
        var config = StrataConfig.default
        try config.set("node.data_dir", text: directory)
        try config.set("worker.listen", text: "127.0.0.1:0")
        try config.set("worker.metrics_port", text: "0")
        try config.set("worker.coordinator", text: "")
        let chunks = tokens * 4 / chunkBytes
        print("strata-bench worker-restart: \(tokens) tokens, \(chunks) chunks of \(chunkBytes) B, dimension \(dimension), \(slots) slots")

        var worker: WorkerNode! = try WorkerNode(config: config)
        try worker.start()
        let ingestStart = ContinuousClock.now
        let (query, corpus) = try await fill(worker, chunks: chunks)
        print(String(format: "ingest: %.1f s", (ContinuousClock.now - ingestStart).seconds))
        let chroma = try chromaPython.map { python in try ChromaPeer(python: python, directory: directory + "/chroma", corpus: corpus, query: query.vector) }
        if let chroma { print(String(format: "chroma ingest: %.1f s", try chroma.ingest())) }
        var chromaFirstQuery: [Double] = []

        var figures: [String: [(ready: Double, index: Double, firstQuery: Double, stop: Double)]] = [:]
        let variants = ["snapshots, warm tier", "snapshots, warm tier destroyed", "no snapshots (rebuild), warm tier"]
        for run in 0..<runs {
            for variant in variants {
                let stopStart = ContinuousClock.now
                await worker.shutdown()
                // Freed before the restart's clock starts: otherwise releasing the old worker's
                // index (millions of allocations after a rebuild) is counted in the next restart.
                worker = nil
                let stop = (ContinuousClock.now - stopStart).seconds
                if variant.contains("destroyed") { ChunkStore.destroyWarmTier(directory: directory + "/store") }
                if variant.hasPrefix("no snapshots") { try? FileManager.default.removeItem(atPath: directory + "/search-index") }
                let start = ContinuousClock.now
                worker = try WorkerNode(config: config)
                try worker.start()
                let ready = (ContinuousClock.now - start).seconds
                let channel = RPCChannel(target: worker.runtime.address)
                let answer = try WorkerSearchResponse(serializedBytes: await channel.unary(MethodPath.workerSearch, query.serializedBytes()))
                let firstQuery = (ContinuousClock.now - start).seconds
                guard answer.candidates.count == 10 else { throw ClusterBench.BenchFailure("the first query found \(answer.candidates.count) chunks, not 10") }
                let restore = worker.indexRestore.map { "\($0.loaded) slots read back, \($0.rebuilt) rebuilt" } ?? "-"
                let indexSeconds = worker.indexRestoreDuration?.seconds ?? .nan
                print(String(format: "run %d, %@: SERVING after %.3f s (index %.3f s of it), first query answered after %.3f s (%@); the shutdown before took %.3f s",
                             run + 1, variant, ready, indexSeconds, firstQuery, restore, stop))
                figures[variant, default: []].append((ready, indexSeconds, firstQuery, stop))
            }
            if let chroma {
                let seconds = try chroma.reopen()
                print(String(format: "run %d, Chroma: open the collection + first query (fresh process, after imports): %.3f s", run + 1, seconds))
                chromaFirstQuery.append(seconds)
            }
        }
        await worker.shutdown()
        print("\n| restart variant | to SERVING, s (median) | of it the index, s (median) | to first query answered, s (median) | shutdown before it, s (median) |")
        print("|---|---:|---:|---:|---:|")
        for variant in variants {
            let rows = figures[variant]!
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            print(String(format: "| %@ | %.3f | %.3f | %.3f | %.3f |", variant, median(rows.map(\.ready)), median(rows.map(\.index)),
                         median(rows.map(\.firstQuery)), median(rows.map(\.stop))))
        }
        if !chromaFirstQuery.isEmpty {
            print(String(format: "| Chroma: open the collection + first query (fresh process, after imports) | | | %.3f | |", chromaFirstQuery.sorted()[chromaFirstQuery.count / 2]))
        }
        let indexBytes = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/search-index"))?.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/search-index/" + name)[.size] as? Int) ?? 0)
        } ?? 0
        print(String(format: "index snapshots on disk: %.1f MiB (%.1f bytes per token)", Double(indexBytes) / 1_048_576, Double(indexBytes) / Double(tokens)))
    }

    /// Ingests `chunks` synthetic chunks (Zipf-distributed words, one chunk per document) with
    /// random unit vectors through ApplyWrites; returns a vector query for one of them, and
    /// the chunks and vectors for the peer.
    private func fill(_ worker: WorkerNode, chunks: Int) async throws -> (WorkerSearchRequest, [(text: String, vector: [Float])]) {
        var corpus: [(text: String, vector: [Float])] = []
        let channel = RPCChannel(target: worker.runtime.address)
        var rng = SplitMix64(seed: 19)
        let vocabulary = (0..<50_000).map { i in "w\(String(i, radix: 36))" + (i % 7 == 0 ? "_id" : "") }
        // Zipf(1) by inverse CDF over the cumulative harmonic weights.
        var cumulative: [Double] = []
        var sum = 0.0
        for rank in 1...vocabulary.count { sum += 1 / Double(rank); cumulative.append(sum) }
        var sequences = [UInt64](repeating: 0, count: slots)
        var probe: [Float] = []
        let batch = 64
        var next = 0
        while next < chunks {
            var bySlot: [Int: [StrataWire.SlotWrite]] = [:]
            for i in next..<min(chunks, next + batch) {
                var text = ""
                while text.utf8.count < chunkBytes {
                    let u = Double.random(in: 0..<sum, using: &rng)
                    var lo = 0, hi = cumulative.count - 1
                    while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < u { lo = mid + 1 } else { hi = mid } }
                    text += vocabulary[lo] + " "
                }
                var vector = (0..<dimension).map { _ in rng.gaussian() }
                let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                vector = vector.map { $0 / norm }
                if i == chunks / 2 { probe = vector }
                if chromaPython != nil { corpus.append((text, vector)) }
                let slot = i % slots
                sequences[slot] += 1
                let id = "doc\(i)"
                let chunk = ChunkMessage(namespace: "bench", contentHash: ContentHash.of(text),
                                         provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1),
                                         ordinal: 0, text: text, tokenCount: UInt32(text.utf8.count / 4), vector: vector)
                bySlot[slot, default: []].append(StrataWire.SlotWrite(sequence: sequences[slot], namespace: "bench",
                                                                      operation: .put(PutDocument(documentID: id, chunks: [chunk]))))
            }
            for (slot, writes) in bySlot {
                _ = try ApplyWritesResponse(serializedBytes: await channel.unary(
                    MethodPath.workerApplyWrites, ApplyWritesRequest(slot: UInt32(slot), writes: writes).serializedBytes()))
            }
            next += batch
        }
        return (WorkerSearchRequest(namespace: "bench", slots: (0..<slots).map(UInt32.init), vector: probe, mode: .vector, topK: 10), corpus)
    }
}

/// Chroma with the benchmark's chunks, through scripts/bench/peers_chroma.py (the same script
/// and configuration scripts/bench.sh uses).
private struct ChromaPeer {
    let python: String
    let directory: String
    let script = FileManager.default.currentDirectoryPath + "/scripts/bench/peers_chroma.py"

    init(python: String, directory: String, corpus: [(text: String, vector: [Float])], query: [Float]) throws {
        self.python = python
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lines = Data()
        var vectors = Data()
        for (text, vector) in corpus {
            lines.append(try JSONSerialization.data(withJSONObject: ["ord": 0, "tokens": text.utf8.count / 4, "text": text]))
            lines.append(0x0A)
            vector.withUnsafeBytes { vectors.append(contentsOf: $0) }
        }
        try lines.write(to: URL(fileURLWithPath: directory + "/chunks.jsonl"))
        try vectors.write(to: URL(fileURLWithPath: directory + "/vectors.f32"))
        var queries = try JSONSerialization.data(withJSONObject: ["vector": query.map(Double.init)])
        queries.append(0x0A)
        try queries.write(to: URL(fileURLWithPath: directory + "/queries.jsonl"))
    }

    /// Returns the ingest seconds Chroma reports.
    func ingest() throws -> Double {
        let out = try run(["ingest", directory + "/chunks.jsonl", directory + "/vectors.f32", directory + "/queries.jsonl", "0", "0", directory + "/db"])
        return ((out["ingest"] as? [String: Any])?["seconds"] as? Double) ?? .nan
    }

    /// Seconds from opening the client to the first query's answer, in a fresh process.
    func reopen() throws -> Double {
        try run(["reopen", directory + "/db", directory + "/queries.jsonl"])["first_query_seconds"] as? Double ?? .nan
    }

    private func run(_ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard process.terminationStatus == 0,
              let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw ClusterBench.BenchFailure("peers_chroma.py \(arguments[0]) failed (status \(process.terminationStatus))")
        }
        return object
    }
}
