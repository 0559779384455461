import ArgumentParser
import Foundation
import StrataCore
import StrataEmbed
import StrataText

/// `strata-bench embed`: the server-side embedder (StrataEmbed, all-MiniLM-L6-v2 on the CPU)
/// next to sentence-transformers (PyTorch) on the same chunks in the same run, query-embedding
/// latency, and (with `--quality`) search quality of lexical, vector and the hybrid default on
/// a code and a prose query set.
struct EmbedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Benchmark the Swift embedder against sentence-transformers; query embedding latency; --quality for MRR@10.")

    @Option(help: "Chunks (1024 characters of Python's standard library, the product's chunker) to embed per run.")
    var chunks: Int = 256

    @Option(help: "Short query texts embedded one at a time for the latency figure.")
    var queries: Int = 300

    @Option(help: "Timed runs of the Swift embedder (the median is reported); PyTorch runs once between them.")
    var runs: Int = 3

    @Option(help: "Python with sentence-transformers for the PyTorch side (scripts/bench.sh's venv); empty skips it.")
    var python: String = ".venv-bench/bin/python"

    @Option(help: "Models directory (default: embedding.models_dir's default).")
    var modelsDir: String = ""

    @Option(help: "Background threads of the Swift embedder (0: one per core).")
    var threads: Int = 0

    @Option(help: "Directory of Python sources for the chunks.")
    var root: String = "/usr/lib/python3.11"

    @Flag(help: "Run the search-quality evaluation (MRR@10 of lexical, vector and hybrid fusions on code and prose sets).")
    var quality = false

    @Option(help: "With --quality: targets (functions, paragraphs) per query set.")
    var qualityTargets: Int = 1000

    @Option(help: "With --quality: queries per set.")
    var qualityQueries: Int = 300

    @Option(help: "With --quality: seed of the query sample (17 chose the default; others are held out).")
    var qualitySeed: UInt64 = 17

    @Option(help: "With --quality: where the corpora's embeddings are cached between runs.")
    var cache: String = "var/bench-cache/embed-quality"

    @Flag(help: "Run the ingest A/B (a cluster of child processes: namespaces without and with an embedder, alternating).")
    var ingest = false

    @Option(help: "With --ingest: rounds of A and B.")
    var ingestRounds: Int = 3

    @Option(help: "With --ingest: Python files per round.")
    var ingestFiles: Int = 300

    mutating func run() async throws {
        let directory = ModelsDirectory.resolve(configured: modelsDir)
        // Normal priority: the comparison with PyTorch (a normal process) is about throughput;
        // nodes run these threads at idle priority behind ingest (see --ingest).
        let embedder = try TextEmbedder.load(.miniLML6, modelsDirectory: directory, threads: threads, idlePriority: false)
        print("embedder: \(embedder.model.description) on \(embedder.backend.description); models in \(directory)")
        if quality {
            try await EmbedQuality(embedder: embedder, cache: cache, targets: qualityTargets, queries: qualityQueries,
                               querySeed: qualitySeed).run()
            return
        }
        if ingest {
            try await measureIngest(rounds: max(1, ingestRounds), files: max(1, ingestFiles))
            return
        }
        try await measureThroughput(embedder, modelDirectory: directory + "/" + embedder.model.directoryName)
        measureQueries(embedder)
    }

    /// The texts: the first `chunks` chunks of the sorted Python files, 1024-character target.
    func corpus() throws -> [String] {
        let chunker = try Chunker()
        var texts: [String] = []
        for document in SearchBench.loadRealDocuments(roots: [root]) {
            for chunk in chunker.chunk(documentID: document.id, text: document.text) where texts.count < chunks {
                texts.append(chunk.text)
            }
            if texts.count >= chunks { break }
        }
        return texts
    }

    func measureThroughput(_ embedder: TextEmbedder, modelDirectory: String) async throws {
        let texts = try corpus()
        let pieces = texts.reduce(0) { $0 + embedder.tokenizer.encode($1).count }
        let characters = texts.reduce(0) { $0 + $1.count }
        print("texts: \(texts.count) chunks of \(root), \(characters / max(texts.count, 1)) characters and \(pieces / max(texts.count, 1)) word pieces each on average")
        _ = try await embedder.embedInBackground(Array(texts.prefix(32)))  // warm-up
        var swiftSeconds: [Double] = []
        var swiftVectors: [[Float]] = []
        var torch: (seconds: Double, threads: Int, vectors: [[Float]])?
        for run in 0..<max(1, runs) {
            let start = ContinuousClock.now
            var vectors: [[Float]] = []
            for batch in stride(from: 0, to: texts.count, by: 32) {
                vectors += try await embedder.embedInBackground(Array(texts[batch..<min(batch + 32, texts.count)]))
            }
            swiftSeconds.append((ContinuousClock.now - start).seconds)
            swiftVectors = vectors
            if run == 0, !python.isEmpty { torch = try runTorch(texts, modelDirectory: modelDirectory) }
        }
        let swift = swiftSeconds.sorted()[swiftSeconds.count / 2]
        print("")
        print("| embedder | chunks/s | seconds for \(texts.count) chunks | threads |")
        print("|---|---|---|---|")
        print("| Strata (Swift, OpenBLAS) | \(format(Double(texts.count) / swift, 1)) | \(format(swift, 2)) (median of \(swiftSeconds.count): \(swiftSeconds.map { format($0, 2) }.joined(separator: ", "))) | \(embedder.backend.description) |")
        if let torch {
            print("| sentence-transformers (PyTorch) | \(format(Double(texts.count) / torch.seconds, 1)) | \(format(torch.seconds, 2)) | \(torch.threads) |")
            let lowest = zip(swiftVectors, torch.vectors).map { Self.cosine($0, $1) }.min() ?? 0
            print("")
            print("Swift / PyTorch throughput: \(format(torch.seconds / swift, 2))x; lowest cosine between their vectors over the \(texts.count) chunks: \(String(format: "%.7f", lowest))")
        } else {
            print("(PyTorch side skipped: no python given)")
        }
    }

    func runTorch(_ texts: [String], modelDirectory: String) throws -> (seconds: Double, threads: Int, vectors: [[Float]]) {
        let work = NSTemporaryDirectory() + "strata-embed-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/texts.jsonl"
        let output = work + "/vectors.f32"
        let lines = try texts.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try lines.write(toFile: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/embed/torch_embed.py").path
        process.arguments = [script, modelDirectory, input, output]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
              let result = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let seconds = result["seconds"] as? Double, let threads = result["threads"] as? Int else {
            throw ValidationError("the PyTorch side failed (\(python) \(script)); is sentence-transformers installed there?")
        }
        let raw = try Data(contentsOf: URL(fileURLWithPath: output))
        let floats = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let vectors = stride(from: 0, to: floats.count, by: 384).map { Array(floats[$0..<$0 + 384]) }
        return (seconds, threads, vectors)
    }

    func measureQueries(_ embedder: TextEmbedder) {
        let samples = [
            "how does the coordinator replicate writes", "parse an HTTP request header", "retry with exponential backoff",
            "read a file line by line", "what happens when a worker dies", "convert a date to ISO 8601",
            "compress bytes with zstd", "tokenize text into word pieces",
        ]
        for text in samples { _ = try? embedder.embedNow(text) }  // warm-up
        var latencies: [Double] = []
        for i in 0..<max(1, queries) {
            let text = samples[i % samples.count] + (i >= samples.count ? " \(i)" : "")
            let start = ContinuousClock.now
            _ = try? embedder.embedNow(text)
            latencies.append((ContinuousClock.now - start).seconds)
        }
        latencies.sort()
        print("")
        print("query embedding (one short text, calling thread): p50 \(format(LatencySummary.percentile(latencies, 0.5) * 1000, 2)) ms, p99 \(format(LatencySummary.percentile(latencies, 0.99) * 1000, 2)) ms over \(latencies.count) queries")
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }
}
