import ArgumentParser
import Foundation
import StrataCore
import StrataSearch
import StrataText

/// `strata-bench search`: indexing, query latency, context assembly and vector recall of
/// StrataSearch on a real corpus (Python sources) at the given token counts, in one process,
/// single-threaded.
struct SearchBench: ParsableCommand {
    /// The namespace the benchmark's index holds.
    static let namespace = "bench"

    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Benchmark StrataSearch: lexical, vector, hybrid top-10 latency, context assembly, recall@10.")

    @Option(help: "Comma-separated corpus sizes in cl100k_base tokens (exact BPE counts).")
    var tokens: String = "1000000,10000000"

    @Option(help: "Timed queries per path (after a warm-up of 10%).")
    var queries: Int = 300

    @Option(
        help: "Directories of real Python sources, in order; a labelled synthetic tail repeats them if they run short.")
    var roots: String = "/usr/lib/python3.11,/usr/lib/python3/dist-packages"

    @Option(help: "Dimension of the synthetic clustered vectors.")
    var dimension: Int = 384

    @Flag(help: "Also run the fusion-quality evaluation (code and prose corpora, proxy vectors).")
    var quality = false

    @Option(help: "With --quality: write the texts to embed (code.jsonl, prose.jsonl) into this directory and stop.")
    var exportQuality: String?

    @Option(help: "With --quality: read real embeddings (code.f32, prose.f32, from scripts/bench/minilm_embed.py) from this directory instead of proxy vectors.")
    var qualityEmbeddings: String?

    mutating func run() throws {
        let sizes = tokens.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--tokens must be a comma-separated list of positive integers")
        }
        guard queries >= 1 else { throw ValidationError("--queries must be positive") }
        if quality, exportQuality != nil || qualityEmbeddings != nil {
            // The quality run alone: exporting texts or scoring with real embeddings.
            try FusionQuality.run(exportTo: exportQuality, embeddingsFrom: qualityEmbeddings)
            return
        }
        let start = Self.now()
        let real = Self.loadRealDocuments(roots: roots.split(separator: ",").map(String.init))
        let bytes = real.reduce(0) { $0 + $1.text.utf8.count }
        print(
            "corpus: \(real.count) real Python files, \(Self.mb(bytes)) MB, loaded in \(String(format: "%.1f", Self.seconds(since: start))) s"
        )
        let loadStart = Self.now()
        let counter = try TokenizerRegistry.load(.cl100k)
        print(
            "tokens: exact \(counter.kind.rawValue) BPE (StrataText), vocabulary loaded in \(String(format: "%.0f", Self.milliseconds(since: loadStart))) ms; chunker: StrataText Chunker, default settings"
        )
        print("vectors: SYNTHETIC \(dimension)-dim clustered vectors (not embeddings), seeded")
        for size in sizes.sorted() {
            try runSize(size, real: real, counter: counter)
        }
        if quality {
            try FusionQuality.run(exportTo: nil, embeddingsFrom: nil)
        }
    }

    static func mb(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
}
