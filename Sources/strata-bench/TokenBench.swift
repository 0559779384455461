import ArgumentParser
import Foundation
import StrataCore
import StrataText

/// `strata-bench tokens`: Strata's exact tokenizer against tiktoken on the same text, in one
/// run, single-threaded, as a ratio; plus the estimate tokenizer and chunking throughput.
struct TokenBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Tokenizer throughput of Strata vs tiktoken (same text, one thread) and chunking throughput.")

    @Option(help: "Encodings to measure (comma-separated: cl100k_base,o200k_base).")
    var encodings: String = "cl100k_base,o200k_base"

    @Option(help: "Megabytes of corpus text to use.")
    var megabytes: Double = 8

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs: Int = 5

    @Option(help: "Corpus directories (default: the Python standard library of --python).")
    var corpus: [String] = []

    @Option(help: "Python with tiktoken (default: $STRATA_PYTHON, else .venv/bin/python).")
    var python: String?

    @Option(help: "The reference script.")
    var referenceScript: String = "Tests/interop/tokenizer_reference.py"

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let python = self.python ?? env["STRATA_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? ".venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("no python at \(python): run ./scripts/install-deps.sh or pass --python")
        }
        let roots = corpus.isEmpty ? [try Corpus.pythonStdlib(python: python)] : corpus
        let files = Corpus.files(under: roots, maxBytes: Int(megabytes * 1_000_000))
        let text = files.map(\.text).joined()
        let bytes = Double(text.utf8.count)
        print("corpus: \(files.count) files, \(String(format: "%.2f", bytes / 1e6)) MB from \(roots.joined(separator: ", "))")
        print("runs: \(runs) per measurement, median reported, single thread")

        let locator = VocabularyLocator.fromEnvironment()
        for name in encodings.split(separator: ",").map(String.init) {
            guard let kind = TokenizerKind(rawValue: name), let encoding = TiktokenEncoding.forKind(kind) else {
                throw ValidationError("unknown encoding \(name)")
            }
            let loadStart = DispatchTime.now()
            let tokenizer = try TokenizerRegistry.loadBPE(encoding, locator: locator)
            let loadSeconds = Timing.seconds(since: loadStart)

            // Strata is timed both before and after tiktoken and the median taken over all
            // samples, so load from other processes on this shared machine during one phase
            // does not favour either side.
            var tokens = 0
            var counted = 0
            var encodeSamples = Timing.samples(runs: runs) { tokens = tokenizer.encode(text).count }
            var countSamples = Timing.samples(runs: runs) { counted = tokenizer.countTokens(text) }
            let reference = try Reference.tiktoken(python: python, script: referenceScript, encoding: name,
                                                        vocabDirectory: locator.directory, files: files.map(\.path), runs: runs)
            encodeSamples += Timing.samples(runs: runs) { tokens = tokenizer.encode(text).count }
            countSamples += Timing.samples(runs: runs) { counted = tokenizer.countTokens(text) }
            let encodeSeconds = Timing.median(encodeSamples)
            let countSeconds = Timing.median(countSamples)
            let same = reference.tokens == tokens && counted == tokens
            print("")
            print("[\(name)] vocabulary load \(String(format: "%.0f", loadSeconds * 1000)) ms; tokens strata \(tokens), tiktoken \(reference.tokens) -> \(same ? "MATCH" : "MISMATCH")")
            Timing.report("  strata encode (ids)", seconds: encodeSeconds, bytes: bytes, tokens: tokens)
            Timing.report("  strata countTokens", seconds: countSeconds, bytes: bytes, tokens: tokens)
            Timing.report("  tiktoken encode_ordinary", seconds: reference.seconds, bytes: bytes, tokens: reference.tokens)
            print(String(format: "  ratio strata/tiktoken (tokens/s): encode %.2f, count %.2f",
                         reference.seconds / encodeSeconds, reference.seconds / countSeconds))
        }

        let estimate = EstimateTokenizer()
        var estimated = 0
        let estimateSeconds = Timing.median(runs: runs) { estimated = estimate.countTokens(text) }
        print("")
        Timing.report("  estimate countTokens", seconds: estimateSeconds, bytes: bytes, tokens: estimated)
        if let exact = try? TokenizerRegistry.loadBPE(.cl100kBase, locator: locator) {
            print(EstimateError.measure(files: files, estimate: estimate, exact: exact).summary)
        }

        let chunker = try Chunker()
        var chunkCount = 0
        let chunkSeconds = Timing.median(runs: runs) {
            chunkCount = 0
            for file in files { chunkCount += chunker.chunk(documentID: file.path, text: file.text).count }
        }
        print(String(format: "chunking (1024 chars, per file): %.1f MB/s, %d chunks", bytes / chunkSeconds / 1e6, chunkCount))
    }
}
