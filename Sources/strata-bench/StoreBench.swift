import ArgumentParser
import Foundation
import Synchronization
import StrataCore
import StrataStore

/// `strata-bench store`: the worker storage engine's figures, in one run.
///
/// 1. raw sequential write bandwidth of the data directory's disk (O_DIRECT, 1 MiB writes, one
///    fdatasync at the end: the yardstick), and for context the same with an fdatasync after
///    every block (the ceiling of a log that makes each 1 MiB batch durable on its own);
/// 2. sequential ingest through `ChunkStore.apply` (acknowledged after the fsync covering the
///    batch; `--writers` applies batches of several slots concurrently, so group commit can
///    share fsyncs) and a final flush into a segment, in MB/s of chunk text (text bytes only:
///    WAL framing, names, provenance and the segment's own bytes are not counted) and
///    tokens/s, as a ratio of (1); plus the process CPU per MB and the rates that CPU alone
///    would allow, because on a shared machine wall time also waits for other processes;
/// 3. read latency p50/p99 of `ChunkStore.get` served by each tier;
/// 4. restart-to-ready (open until usable) without and with a valid warm tier;
/// 5. bytes per token in each tier.
///
/// Tokens are estimated as UTF-8 bytes / 4 (the benchmark's synthetic text has no tokenizer).
struct StoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Storage engine: ingest vs raw disk, read latency per tier, restart time, bytes per token.")

    @Option(help: "Tokens to store (estimated as bytes / 4).")
    var tokens: Int = 10_000_000

    @Option(help: "Bytes of text per chunk.")
    var chunkBytes: Int = 1024

    @Option(help: "Chunks per document.")
    var chunksPerDocument: Int = 8

    @Option(help: "Documents per write batch (one fsync per batch; 128 x 8 x 1 KiB = 1 MiB).")
    var documentsPerBatch: Int = 128

    @Option(help: "Vector dimension stored with every chunk (0: no vectors).")
    var dimension: Int = 0

    @Option(help: "WAL size (MiB) past which the memtable is flushed into a segment in the background.")
    var walFlushMegabytes: Int = 64

    @Option(help: "Reads timed per tier.")
    var reads: Int = 20_000

    @Option(help: "Megabytes written by the raw direct-I/O probe.")
    var rawMegabytes: Int = 256

    @Option(help: "Concurrent writers, each applying its share of the batches to its own slot (as a worker serves several slots); 1 applies every batch in turn. A comma-separated list (1,2) measures each count, the runs interleaved, and prints the rates' ratios to the first.")
    var writers: String = "1"

    @Option(help: "zstd level of segment blocks (the store's default is \(PersistentSettings.default.compressionLevel); negative levels are zstd's fast modes).")
    var compressionLevel: Int32 = PersistentSettings.default.compressionLevel

    @Option(help: "Times the ingest is run (each into an empty store); the median is reported. The machine is noisy.")
    var ingestRuns: Int = 1

    @Flag(help: "Stop after the ingest figures (skip read latency, bytes per token and restart).")
    var ingestOnly = false

    @Option(help: "Also write the ingest figures (per writer count: medians and ratios to the first count) as JSON to this file.")
    var json: String?

    @Option(help: "Data directory (on the disk to measure); removed and recreated.")
    var directory: String = FileManager.default.currentDirectoryPath + "/.strata-bench-store"

    func run() throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        print("strata-bench store: \(tokens) tokens, \(chunkBytes) B chunks, \(chunksPerDocument) chunks/document, \(documentsPerBatch) documents/batch, dimension \(dimension), directory \(directory)")
        print("tokens are estimated as UTF-8 bytes / 4")

        // 1. Raw disk.
        let raw = try DirectWriteProbe.sequentialWriteBandwidth(directory: directory, totalBytes: rawMegabytes << 20)
        print(String(format: "raw sequential write (O_DIRECT, %d MiB, 1 MiB blocks, one fdatasync at the end): %.1f MB/s", rawMegabytes, raw / 1e6))
        // Context, not the yardstick: the same probe with an fdatasync after every block, i.e.
        // what a log that makes each 1 MiB durable before the next could reach on this disk.
        let rawDurable = try DirectWriteProbe.sequentialWriteBandwidth(directory: directory, totalBytes: rawMegabytes << 20, syncEveryBlock: true)
        print(String(format: "  (for context: the same with an fdatasync after every 1 MiB block: %.1f MB/s)", rawDurable / 1e6))

        // 2. Ingest.
        let corpus = BenchCorpus(tokens: tokens, chunkBytes: chunkBytes, chunksPerDocument: chunksPerDocument, dimension: dimension)
        print("corpus: \(corpus.documents.count) documents, \(corpus.chunkCount) chunks, \(corpus.textBytes) text bytes")
        let batchBytes = Double(corpus.textBytes) / Double(max(1, (corpus.documents.count + documentsPerBatch - 1) / documentsPerBatch))
        let writerCounts = try parsedWriters()
        print("batches: \(documentsPerBatch) documents each, \(f(batchBytes / 1_048_576, 2)) MiB of text per apply, \(writerCounts.map(String.init).joined(separator: ", ")) writer(s); "
            + "zstd level \(compressionLevel), flush past \(walFlushMegabytes) MiB of WAL")
        print("ingest bytes counted: chunk text only (UTF-8 bytes handed to apply; vectors, names and provenance not counted)")
        let loadBefore = Self.loadAverage()
        print("load average before the ingest runs: \(loadBefore)")
        var runsByWriters: [Int: [IngestRun]] = [:]
        for run in 0..<max(1, ingestRuns) {
            // With several writer counts the runs alternate, so a change in the machine's load
            // falls on each count alike.
            for count in writerCounts {
                // Each run starts from an empty store on the same disk.
                try FileManager.default.removeItem(atPath: directory)
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let r = try ingest(corpus, writers: count)
                runsByWriters[count, default: []].append(r)
                if ingestRuns > 1 || writerCounts.count > 1 {
                    print("ingest run \(run + 1), \(count) writer(s): WAL \(f(r.walSeconds, 3)) s (CPU \(f(r.walCPUSeconds, 3)) s), incl. flush \(f(r.totalSeconds, 3)) s (CPU \(f(r.cpuSeconds, 3)) s)")
                }
            }
        }
        let loadAfter = Self.loadAverage()
        print("load average after the ingest runs: \(loadAfter)")
        var writerFigures: [String: Any] = [:]
        do {
            let mb = Double(corpus.textBytes) / 1e6
            func medianOf(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            let base = writerCounts[0]
            let baseAcked = medianOf(runsByWriters[base]!.map(\.walSeconds))
            let baseTotal = medianOf(runsByWriters[base]!.map(\.totalSeconds))
            for count in writerCounts {
                let acked = medianOf(runsByWriters[count]!.map(\.walSeconds))
                let total = medianOf(runsByWriters[count]!.map(\.totalSeconds))
                if writerCounts.count > 1 {
                    print("writers \(count) (median of \(runsByWriters[count]!.count)): acknowledged \(f(mb / acked, 1)) MB/s (\(f(baseAcked / acked, 2))x \(base) writer(s)), "
                        + "incl. flush \(f(mb / total, 1)) MB/s (\(f(baseTotal / total, 2))x)")
                }
                writerFigures[String(count)] = ["runs": runsByWriters[count]!.count, "acknowledged_mb_s": mb / acked, "total_mb_s": mb / total,
                                                "acknowledged_ratio": baseAcked / acked, "total_ratio": baseTotal / total]
            }
        }
        if let json {
            let report: [String: Any] = ["tokens": corpus.tokens, "text_bytes": corpus.textBytes, "load_average_before": loadBefore,
                                         "load_average_after": loadAfter, "base_writers": writerCounts[0], "writers": writerFigures]
            try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
        }
        let runs = runsByWriters[writerCounts.last!]!
        let median = runs.sorted { $0.totalSeconds < $1.totalSeconds }[runs.count / 2]
        let walPhase = runs.map(\.walSeconds).sorted()[runs.count / 2]
        let ingestSeconds = median.totalSeconds
        let stored = median.stats
        let ingestRate = Double(corpus.textBytes) / ingestSeconds
        let label = runs.count > 1 ? "median of \(runs.count) runs, " : ""
        print("ingest incl. flush (\(label)process CPU \(f(median.cpuSeconds, 2)) s): \(f(ingestSeconds, 2)) s, \(f(ingestRate / 1e6, 1)) MB/s of text, \(f(Double(corpus.tokens) / ingestSeconds / 1e6, 2)) M tokens/s, "
            + "\(f(100 * ingestRate / raw, 0))% of raw disk bandwidth (\(ingestRate / raw >= 0.5 ? "target >= 50% met" : "target >= 50% NOT met"))")
        print("ingest phases: acknowledged (durable in the WAL) after \(f(walPhase, 2)) s = \(f(Double(corpus.textBytes) / walPhase / 1e6, 1)) MB/s "
            + "(\(f(100 * Double(corpus.textBytes) / walPhase / raw, 0))% of raw); flush into a segment \(f(ingestSeconds - median.walSeconds, 2)) s")
        // CPU is what the figures above are made of on a shared machine (wall time also waits
        // for other processes): the CPU cost per MB bounds the rate whatever the disk does.
        let walCPU = runs.map(\.walCPUSeconds).sorted()[runs.count / 2]
        let allCPU = runs.map(\.cpuSeconds).sorted()[runs.count / 2]
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let mb = Double(corpus.textBytes) / 1e6
        print("CPU cost (medians): \(f(walCPU * 1e3 / mb, 2)) ms per MB of text to acknowledge, \(f(allCPU * 1e3 / mb, 2)) ms per MB including the flush; "
            + "CPU-bound ceilings: \(f(mb / walCPU, 0)) MB/s acknowledged on one core (\(f(100 * mb / walCPU / (raw / 1e6), 0))% of raw), "
            + "\(f(mb / (allCPU / Double(cores)), 0)) MB/s including the flush on all \(cores) cores (\(f(100 * mb / (allCPU / Double(cores)) / (raw / 1e6), 0))% of raw)")
        print("persistent: \(stored.entries) chunks, \(stored.segmentCount) segment(s) \(stored.segmentBytes) B, WAL \(stored.walBytes) B, "
            + "\(stored.flushes) flush(es), \(stored.compactions) compaction(s)")
        if ingestOnly { return }

        // 3. Reads per tier, and 5. bytes per token.
        let sample = corpus.sampleRefs(reads)
        let big = TierSettings(capacityBytes: max(256 << 20, corpus.textBytes * 4), capacityTokens: corpus.tokens * 2, precision: .int8, eviction: .lru)
        let tiny = TierSettings(capacityBytes: 4096, capacityTokens: 1024, precision: .int8, eviction: .lru)
        var bytesPerToken: [(TierName, Double)] = []
        for tier in [TierName.hot, .warm, .cold, .persistent] {
            let settings = settings(
                hot: tier == .hot ? big : tiny,
                warm: tier == .warm ? TierSettings(capacityBytes: big.capacityBytes, capacityTokens: big.capacityTokens, precision: .int8, eviction: .lru) : tiny,
                cold: tier == .cold ? TierSettings(capacityBytes: big.capacityBytes, capacityTokens: big.capacityTokens, precision: .float16, eviction: .fifo)
                    : TierSettings(capacityBytes: 4096, capacityTokens: 1024, precision: .float16, eviction: .fifo),
                name: "strata-bench-\(tier.rawValue)")
            ChunkStore.destroyWarmTier(directory: directory, settings: settings)
            let s = try ChunkStore.open(directory: directory, settings: settings)
            if tier != .persistent { for ref in sample { _ = try s.get(ref) } }  // fill the tier under test
            var latencies: [Double] = []
            latencies.reserveCapacity(sample.count)
            var served = 0
            for ref in sample.shuffled() {
                let t0 = ContinuousClock.now
                let read = try s.get(ref)
                let dt = t0.duration(to: .now).seconds
                if read.tier == tier { served += 1 }
                latencies.append(dt)
            }
            latencies.sort()
            let p50 = latencies[latencies.count / 2] * 1e6
            let p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1e6
            var note = ""
            if tier == .hot { note = p99 <= 5 ? " (target p99 <= 5 us met)" : " (target p99 <= 5 us NOT met)" }
            print("read \(tier.rawValue): p50 \(f(p50, 2)) us, p99 \(f(p99, 2)) us, \(served)/\(sample.count) served by \(tier.rawValue)\(note)")
            if let st = s.stats().first(where: { $0.tier == tier }), st.tokens > 0 {
                if tier == .persistent {
                    let p = s.persistentStats()
                    bytesPerToken.append((tier, Double(p.bytesOnDisk) / Double(p.tokens)))
                } else {
                    bytesPerToken.append((tier, Double(st.bytesUsed) / Double(st.tokens)))
                }
            }
            s.close()
            ChunkStore.destroyWarmTier(directory: directory, settings: settings)
        }
        for (tier, bpt) in bytesPerToken {
            print("bytes per token, \(tier.rawValue): \(f(bpt, 3))")
        }

        // 4. Restart to ready.
        let warmBig = TierSettings(capacityBytes: max(256 << 20, corpus.textBytes * 3 + corpus.chunkCount * (dimension + 64)),
                                   capacityTokens: corpus.tokens * 2, precision: .int8, eviction: .lru)
        let restartSettings = settings(hot: TierSettings(capacityBytes: 64 << 20, capacityTokens: 1_000_000, precision: .int8, eviction: .lru),
                                            warm: warmBig, cold: .coldDefault, name: "strata-bench-restart")
        ChunkStore.destroyWarmTier(directory: directory, settings: restartSettings)
        var t0 = ContinuousClock.now
        var s = try ChunkStore.open(directory: directory, settings: restartSettings)
        let coldRestart = t0.duration(to: .now).seconds
        print("restart to ready, no warm tier (\(corpus.tokens) tokens stored): \(f(coldRestart, 3)) s (\(coldRestart <= 5 ? "target <= 5 s met" : "target <= 5 s NOT met"))")
        for ref in corpus.allRefs { _ = try s.get(ref) }   // everything into hot/warm; close moves hot to warm
        s.close()
        t0 = ContinuousClock.now
        s = try ChunkStore.open(directory: directory, settings: restartSettings)
        let warmRestart = t0.duration(to: .now).seconds
        var fromWarm = 0
        for ref in sample where (try s.get(ref)).tier == .warm { fromWarm += 1 }
        print("restart to ready, valid warm tier: \(f(warmRestart, 3)) s (\(warmRestart <= 1 ? "target <= 1 s met" : "target <= 1 s NOT met")); "
            + "warm restored \(s.warmRecovery.restoredEntries) entries, \(fromWarm)/\(sample.count) sampled reads served by warm")
        s.close()
        ChunkStore.destroyWarmTier(directory: directory, settings: restartSettings)
    }

    /// One timed ingest: every batch applied (each acknowledged after its fsync), then a flush.
    struct IngestRun {
        var walSeconds: Double
        var totalSeconds: Double
        /// Process CPU until the last batch was acknowledged.
        var walCPUSeconds: Double
        /// User + system CPU of the whole process (background flush threads included).
        var cpuSeconds: Double
        var stats: PersistentStats
    }

    /// `--writers` as a list of counts (each at least 1).
    func parsedWriters() throws -> [Int] {
        let counts = writers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--writers: expected counts >= 1, comma-separated (e.g. 1,2), got \"\(writers)\"")
        }
        return counts.map { $0! }
    }

    /// The 1, 5 and 15 minute load averages (/proc/loadavg), for the record beside each figure.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    func ingest(_ corpus: BenchCorpus, writers writerCount: Int) throws -> IngestRun {
        let ingestSettings = settings(hot: .hotDefault, warm: .warmDefault, cold: .coldDefault, name: "strata-bench-ingest")
        ChunkStore.destroyWarmTier(directory: directory, settings: ingestSettings)
        let store = try ChunkStore.open(directory: directory, settings: ingestSettings)
        let cpuStart = Self.processCPUSeconds()
        let ingestStart = ContinuousClock.now
        let batches = stride(from: 0, to: corpus.documents.count, by: documentsPerBatch).map {
            Array(corpus.documents[$0..<min($0 + documentsPerBatch, corpus.documents.count)])
        }
        if writerCount == 1 {
            for (i, ops) in batches.enumerated() {
                try store.apply(SlotWrite(slot: 0, sequence: UInt64(i + 1), operations: ops))
            }
        } else {
            // Writer w applies batches w, w + n, w + 2n, ... to slot w, each after the last
            // was acknowledged: per slot one write at a time, slots in parallel.
            let failure = Mutex<StrataError?>(nil)
            DispatchQueue.concurrentPerform(iterations: writerCount) { w in
                var sequence: UInt64 = 0
                for i in stride(from: w, to: batches.count, by: writerCount) {
                    sequence += 1
                    do throws(StrataError) {
                        try store.apply(SlotWrite(slot: UInt32(w), sequence: sequence, operations: batches[i]))
                    } catch {
                        failure.withLock { $0 = $0 ?? error }
                        return
                    }
                }
            }
            if let error = failure.withLock({ $0 }) { throw error }
        }
        let walPhase = ingestStart.duration(to: .now).seconds
        let walCPU = Self.processCPUSeconds() - cpuStart
        try store.flush()
        let ingestSeconds = ingestStart.duration(to: .now).seconds
        let cpu = Self.processCPUSeconds() - cpuStart
        let stored = store.persistentStats()
        store.close()
        ChunkStore.destroyWarmTier(directory: directory, settings: ingestSettings)
        return IngestRun(walSeconds: walPhase, totalSeconds: ingestSeconds, walCPUSeconds: walCPU, cpuSeconds: cpu, stats: stored)
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    func settings(hot: TierSettings, warm: TierSettings, cold: TierSettings, name: String) -> StoreSettings {
        var persistent = PersistentSettings.default
        persistent.walFlushBytes = walFlushMegabytes << 20
        persistent.compressionLevel = compressionLevel
        return StoreSettings(tiers: .init(hot: hot, warm: warm, cold: cold), persistent: persistent, warmSegmentName: name)
    }

    /// Fixed-point formatting without Foundation's `%@` (not portable to Linux for Swift strings).
    func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}

/// Synthetic documents: code-like text from a seeded 4000-word vocabulary with skewed word
/// frequencies, unique per chunk so dedup does not shrink the corpus.
struct BenchCorpus {
    var documents: [StoreOperation] = []
    var allRefs: [ChunkRef] = []
    var chunkCount = 0
    var textBytes = 0
    var tokens: Int { textBytes / 4 }

    init(tokens: Int, chunkBytes: Int, chunksPerDocument: Int, dimension: Int) {
        var rng = UInt64(0x5EED_5EED_1234_5678)
        func next() -> UInt64 { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng }
        let letters = Array("abcdefghijklmnopqrstuvwxyz_")
        let vocabulary: [String] = (0..<4000).map { _ in
            String((0..<Int(3 + next() % 9)).map { _ in letters[Int(next() % UInt64(letters.count))] })
        }
        let punctuation = [" ", " ", " ", " ", "(", ") ", ", ", ".", " = ", ";\n", " {\n    ", "\n}\n", " -> ", ": "]
        let targetBytes = tokens * 4
        var docIndex = 0
        while textBytes < targetBytes {
            let docID = "src/module\(docIndex / 100)/file\(docIndex).swift"
            var chunks: [ChunkInput] = []
            var offset = 0
            for c in 0..<chunksPerDocument where textBytes < targetBytes {
                var text = "// \(docID) part \(c)\n"
                while text.utf8.count < chunkBytes {
                    // Skewed word frequencies (a few words are very common), as in real code and prose.
                    let u = Double(next() % 1_000_000) / 1_000_000
                    text += vocabulary[Int(Double(vocabulary.count - 1) * u * u * u)]
                    text += punctuation[Int(next() % UInt64(punctuation.count))]
                }
                let bytes = Array(text.utf8.prefix(chunkBytes))
                var vector: [Float]?
                if dimension > 0 {
                    vector = (0..<dimension).map { _ in Float(Int(next() % 2001) - 1000) / 1000 }
                }
                chunks.append(ChunkInput(utf8: bytes, tokenCount: bytes.count / 4,
                                         provenance: ChunkProvenance(documentID: docID, byteStart: offset, byteEnd: offset + bytes.count,
                                                                     lineStart: c * 30 + 1, lineEnd: c * 30 + 30),
                                         vector: vector))
                allRefs.append(ChunkRef(namespace: "bench", hash: .of(bytes)))
                offset += bytes.count
                textBytes += bytes.count
                chunkCount += 1
            }
            documents.append(.putDocument(namespace: "bench", documentID: docID, chunks: chunks))
            docIndex += 1
        }
    }

    /// `count` refs spread over the corpus (all of them when the corpus is smaller).
    func sampleRefs(_ count: Int) -> [ChunkRef] {
        guard allRefs.count > count else { return allRefs }
        let step = Double(allRefs.count) / Double(count)
        return (0..<count).map { allRefs[Int(Double($0) * step)] }
    }
}
