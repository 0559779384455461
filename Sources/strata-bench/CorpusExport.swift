import ArgumentParser
import Foundation
import StrataCore
import StrataText

/// `strata-bench corpus`: the benchmark corpus, chunked once by Strata's own chunker and
/// counted with the exact tokenizer, written as JSON lines so every system of
/// `scripts/bench.sh` (Strata and its peers) sees exactly the same chunks.
///
/// Documents are real source files under `--roots`, in a stable pseudo-random order (by a
/// hash of their path) so that every prefix mixes all roots. When the real files run short
/// of `--tokens`, a SYNTHETIC tail follows: the real files again, with every identifier of
/// four or more characters suffixed `_sN` (N = the round) so no chunk repeats an earlier one
/// (repeats would be deduplicated by Strata and not by its peers). Each line says which.
struct CorpusExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Chunk real source files (plus a labelled synthetic tail) into a JSON-lines chunk file.")

    @Option(help: "Tokens (cl100k_base, exact) to reach; whole documents, so a little more.") var tokens: Int = 10_000_000
    @Option(help: "Comma-separated directories of real source files.") var roots: String = "/usr/lib/python3.11"
    @Option(help: "Comma-separated file extensions to take.") var extensions: String = "py,swift"
    @Option(help: "The JSON-lines chunk file to write.") var out: String
    @Option(help: "Also write a JSON summary (sizes, chunking and token counting throughput) here.") var summaryJson: String?

    func validate() throws {
        guard tokens > 0 else { throw ValidationError("--tokens must be positive") }
    }

    func run() throws {
        let suffixes = extensions.split(separator: ",").map { "." + $0.trimmingCharacters(in: .whitespaces) }
        let real = Self.loadDocuments(roots: roots.split(separator: ",").map(String.init), suffixes: suffixes)
        guard !real.isEmpty else { throw ValidationError("no files ending in \(suffixes) under --roots \(roots)") }
        let chunker = try Chunker(settings: .default)
        let counter = try TokenizerRegistry.load(.cl100k)
        guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else { throw ValidationError("cannot write --out \(out)") }
        defer { try? handle.close() }

        var written = CorpusTally()
        var buffer = Data()
        var round = 0
        fill: while written.tokens < tokens {
            for document in real {
                let id = round == 0 ? document.id : "synthetic/s\(round)/" + document.id
                let text = round == 0 ? document.text : Self.suffixIdentifiers(document.text, round: round)
                let chunkStart = ContinuousClock.now
                let pieces = chunker.chunk(documentID: id, text: text)
                let countStart = ContinuousClock.now
                let counts = pieces.map { counter.countTokens($0.text) }
                let countEnd = ContinuousClock.now
                written.chunkSeconds += (countStart - chunkStart).seconds
                written.countSeconds += (countEnd - countStart).seconds
                for (ordinal, (piece, count)) in zip(pieces, counts).enumerated() {
                    buffer.append(contentsOf: Self.line(piece, ordinal: ordinal, tokens: count, synthetic: round > 0))
                    written.chunkBytes += piece.text.utf8.count
                }
                written.documents += 1
                written.chunks += pieces.count
                written.tokens += counts.reduce(0, +)
                written.bytes += text.utf8.count
                if round > 0 { written.syntheticTokens += counts.reduce(0, +) }
                if buffer.count > 4 << 20 {
                    handle.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
                if written.tokens >= tokens { break fill }
            }
            round += 1
        }
        handle.write(buffer)
        print("corpus: \(written.documents) documents, \(written.chunks) chunks, \(written.tokens) tokens (cl100k_base), "
            + "\(format(Double(written.bytes) / 1e6, 1)) MB; synthetic tail \(written.syntheticTokens) tokens")
        print("chunking \(format(Double(written.bytes) / 1e6 / written.chunkSeconds, 1)) MB/s; exact token counting "
            + "\(format(Double(written.tokens) / 1e6 / written.countSeconds, 2)) M tokens/s (\(format(Double(written.chunkBytes) / 1e6 / written.countSeconds, 1)) MB/s), one thread")
        if let summaryJson {
            let summary: [String: Any] = [
                "documents": written.documents, "chunks": written.chunks, "tokens": written.tokens, "bytes": written.bytes,
                "chunk_bytes": written.chunkBytes, "synthetic_tokens": written.syntheticTokens, "real_documents_available": real.count,
                "chunk_seconds": written.chunkSeconds, "count_seconds": written.countSeconds,
                "roots": roots, "extensions": extensions, "chunker": "StrataText Chunker, default settings (\(chunker.settings.targetCharacters) characters, no overlap)",
                "tokenizer": counter.kind.rawValue,
            ]
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: summaryJson))
        }
    }

    /// Running totals of the export.
    struct CorpusTally {
        var documents = 0, chunks = 0, tokens = 0, bytes = 0, chunkBytes = 0, syntheticTokens = 0
        var chunkSeconds = 0.0, countSeconds = 0.0
    }

    /// Real files, valid UTF-8 and not blank, ordered by a hash of their path so any prefix
    /// of the corpus mixes every root (and the order is the same on every machine).
    static func loadDocuments(roots: [String], suffixes: [String]) -> [(id: String, text: String)] {
        var documents: [(id: String, text: String, key: UInt64)] = []
        for root in roots {
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            let name = URL(fileURLWithPath: root).lastPathComponent
            while let relative = walker.nextObject() as? String {
                guard suffixes.contains(where: { relative.hasSuffix($0) }),
                      !relative.split(separator: "/").contains(where: { $0 == "site-packages" || $0 == "dist-packages" || $0 == ".build" }),
                      let data = FileManager.default.contents(atPath: root + "/" + relative),
                      let text = String(validating: data, as: UTF8.self),
                      !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
                let id = name + "/" + relative
                documents.append((id, text, fnv1a(id)))
            }
        }
        return documents.sorted { ($0.key, $0.id) < ($1.key, $1.id) }.map { ($0.id, $0.text) }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// The synthetic tail's text: every identifier of 4+ characters gets `_s<round>`.
    static func suffixIdentifiers(_ text: String, round: Int) -> String {
        let suffix = Array("_s\(round)".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var run = 0
        func isWord(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || (b >= 48 && b <= 57) }
        var wordStartsWithDigit = false
        for byte in text.utf8 {
            if isWord(byte) {
                if run == 0 { wordStartsWithDigit = byte >= 48 && byte <= 57 }
                run += 1
            } else {
                if run >= 4 && !wordStartsWithDigit { out.append(contentsOf: suffix) }
                run = 0
            }
            out.append(byte)
        }
        if run >= 4 && !wordStartsWithDigit { out.append(contentsOf: suffix) }
        return String(decoding: out, as: UTF8.self)
    }

    /// One JSON line: document, ordinal, provenance, token count, whether synthetic, text.
    static func line(_ chunk: TextChunk, ordinal: Int, tokens: Int, synthetic: Bool) -> Data {
        let p = chunk.provenance
        let line = "{\"doc\":" + jsonString(p.documentID) + ",\"ord\":\(ordinal),\"b0\":\(p.byteStart),\"b1\":\(p.byteEnd),"
            + "\"l0\":\(p.lineStart),\"l1\":\(p.lineEnd),\"tokens\":\(tokens),\"synthetic\":\(synthetic),\"text\":" + jsonString(chunk.text) + "}\n"
        return Data(line.utf8)
    }

    /// A JSON string literal (RFC 8259 escapes; non-ASCII passes through as UTF-8).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
