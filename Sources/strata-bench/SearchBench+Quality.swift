import ArgumentParser
import Foundation
import StrataCore
import StrataSearch

/// Fusion quality on two kinds of corpora, to choose the hybrid default honestly.
///
/// - code: Python stdlib functions with docstrings; query = the docstring's first line,
///   target = the function with its docstring removed (so the query's words are not copied).
/// - prose: paragraphs of /usr/share/common-licenses and /usr/share/doc/*/copyright;
///   query = a paragraph's first sentence, target = the rest of the paragraph.
///
/// Vectors are, by default, a PROXY, not a neural embedding: hashed character-trigram and
/// word vectors, 384-dim, L2-normalized. They capture sub-word overlap (parse/parser/parsing)
/// that BM25's exact terms miss, so they are a second, different signal, but say nothing about
/// semantics. Real all-MiniLM-L6-v2 embeddings (slow on CPU: ~12 chunks/s) are used instead
/// when computed once by `scripts/bench/minilm_embed.py` from the texts `--export-quality` writes:
/// per corpus, every target, then the sampled queries, one row of 384 floats each.
enum FusionQuality {
    struct Pair {
        var query: String
        var target: String
    }

    static let dimension = 384

    static func run(exportTo: String?, embeddingsFrom: String?) throws {
        let kind = exportTo != nil ? "export only" : embeddingsFrom == nil ? "PROXY hashed char-trigram vectors, not embeddings" : "REAL all-MiniLM-L6-v2 embeddings"
        print("\n== fusion quality (vectors: \(kind)) ==")
        var rng = SplitMix64(seed: 11)
        let code = Array(codePairs().shuffled(using: &rng).prefix(4000))
        let prose = Array(prosePairs().shuffled(using: &rng).prefix(4000))
        let settings: [(String, FusionSettings?)] = [
            ("bm25 only", nil),
            ("vector only", nil),
            ("default 1 : 1 k5", FusionSettings.default),
            ("rrf 1 : 1    k60", FusionSettings(lexicalWeight: 1, vectorWeight: 1, k: 60)),
            ("rrf 1 : 1    k10", FusionSettings(lexicalWeight: 1, vectorWeight: 1, k: 10)),
            ("rrf 0.5 : 1  k60", FusionSettings(lexicalWeight: 0.5, vectorWeight: 1, k: 60)),
            ("rrf 0.5 : 1  k10", FusionSettings(lexicalWeight: 0.5, vectorWeight: 1, k: 10)),
            ("rrf 0.7 : 1  k5", FusionSettings(lexicalWeight: 0.7, vectorWeight: 1, k: 5)),
            ("rrf 1 : 0.5  k60", FusionSettings(lexicalWeight: 1, vectorWeight: 0.5, k: 60)),
            ("rrf 1 : 0.25 k60", FusionSettings(lexicalWeight: 1, vectorWeight: 0.25, k: 60)),
            ("rrf 1 : 0.1  k60", FusionSettings(lexicalWeight: 1, vectorWeight: 0.1, k: 60)),
            ("rrf 1 : 0.01 k10", FusionSettings(lexicalWeight: 1, vectorWeight: 0.01, k: 10)),
        ]
        let corpora = [
            ("code", "code (Python stdlib functions)", code), ("prose", "prose (licenses, copyright files)", prose),
        ]
        for (file, name, pairs) in corpora {
            let sample = Array(pairs.indices.shuffled(using: &rng).prefix(400))
            let texts = pairs.map(\.target) + sample.map { pairs[$0].query }
            if let exportTo {
                let lines = try texts.map { String(decoding: try JSONEncoder().encode([$0]), as: UTF8.self) }
                let path = "\(exportTo)/\(file).jsonl"
                try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                print("wrote \(texts.count) texts to \(path)")
                continue
            }
            let vectors =
                try embeddingsFrom.map { try loadVectors("\($0)/\(file).f32", count: texts.count) }
                ?? texts.map(proxyVector)
            try evaluate(name, pairs, sample: sample, vectors: vectors, settings: settings)
        }
    }

    /// Rows of `dimension` little-endian floats, exactly `count` of them.
    static func loadVectors(_ path: String, count: Int) throws -> [[Float]] {
        guard let data = FileManager.default.contents(atPath: path), data.count == count * dimension * 4 else {
            throw ValidationError(
                "\(path) must hold \(count) rows of \(dimension) float32 (rerun --export-quality and the embed script)")
        }
        return data.withUnsafeBytes { raw in
            (0..<count).map { row in
                (0..<dimension).map { raw.loadUnaligned(fromByteOffset: (row * dimension + $0) * 4, as: Float.self) }
            }
        }
    }

    /// `vectors`: one per target, then one per sampled query, in `sample` order.
    static func evaluate(
        _ name: String, _ pairs: [Pair], sample: [Int], vectors: [[Float]], settings: [(String, FusionSettings?)]
    ) throws {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: dimension))
        for (i, pair) in pairs.enumerated() {
            let id = "t\(i)"
            let ref = ChunkRef(documentID: id, ordinal: 0, contentHash: ContentHash(high: 0, low: UInt64(i)))
            try shard.upsert(documentID: id, chunks: [IndexedChunk(ref: ref, text: pair.target, vector: vectors[i])])
        }
        print("\n\(name): \(pairs.count) targets, \(sample.count) queries")
        // The INT8 path against exact FP32 cosine on these very vectors.
        var agree = 0
        for q in sample.indices {
            let query = vectors[pairs.count + q]
            let exact = pairs.indices.map { i in (i, zip(vectors[i], query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(10).map { "t\($0.0)" }
            let found = try shard.searchVector(query, k: 10).map(\.ref.documentID)
            agree += Set(exact).intersection(found).count
        }
        print(String(format: "vector path recall@10 vs exact FP32 on these vectors: %.4f", Double(agree) / Double(sample.count * 10)))
        print("method                recall@10   MRR@10")
        for (label, fusion) in settings {
            var hits = 0
            var reciprocal = 0.0
            for (q, i) in sample.enumerated() {
                let mode: SearchMode = label == "bm25 only" ? .lexical : label == "vector only" ? .vector : .hybrid
                let request = SearchRequest(
                    mode: mode, text: pairs[i].query, vector: vectors[pairs.count + q], topK: 10, fusion: fusion)
                let results = try shard.search(request)
                if let rank = results.firstIndex(where: { $0.ref.documentID == "t\(i)" }) {
                    hits += 1
                    reciprocal += 1 / Double(rank + 1)
                }
            }
            print(
                String(
                    format: "%@   %8.3f   %6.3f", label.padding(toLength: 18, withPad: " ", startingAt: 0),
                    Double(hits) / Double(sample.count), reciprocal / Double(sample.count)))
        }
    }

    /// The proxy vector: signed feature hashing of word unigrams and `#word#` character trigrams.
    static func proxyVector(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        func add(_ bytes: some Sequence<UInt8>, weight: Float) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            v[Int(h % UInt64(dimension))] += (h >> 63) == 0 ? weight : -weight
        }
        for word in text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }) {
            let bytes = Array("#\(word)#".utf8)
            add(bytes, weight: 1)
            if bytes.count >= 3 {
                for i in 0...(bytes.count - 3) { add(bytes[i..<(i + 3)], weight: 0.5) }
            }
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm == 0 {
            v[0] = 1
            return v
        }
        return v.map { $0 / norm }
    }

    /// A Python stdlib function with a docstring: its docstring's first line, the function
    /// whole (≤ 1024 bytes) and the function without its docstring (≤ 1024 bytes).
    struct DocumentedFunction {
        var summary: String
        var whole: String
        var body: String
    }

    /// Functions of the Python stdlib with a docstring of at least four words on its first line.
    static func codePairs() -> [Pair] {
        codeFunctions().map { Pair(query: $0.summary, target: $0.body) }
    }

    /// Every such function, in file and line order.
    static func codeFunctions() -> [DocumentedFunction] {
        var functions: [DocumentedFunction] = []
        for doc in SearchBench.loadRealDocuments(roots: ["/usr/lib/python3.11"]) {
            let lines = doc.text.split(separator: "\n", omittingEmptySubsequences: false)
            var i = 0
            while i < lines.count {
                let line = lines[i]
                let stripped = line.drop { $0 == " " }
                guard stripped.hasPrefix("def ") else {
                    i += 1
                    continue
                }
                let indent = line.count - stripped.count
                // Find the end of the signature, then a docstring on the next line.
                var j = i
                while j < lines.count, !lines[j].hasSuffix(":") { j += 1 }
                let docLine = j + 1
                guard docLine < lines.count else { break }
                let docStripped = lines[docLine].drop { $0 == " " }
                let quote = docStripped.hasPrefix("\"\"\"") ? "\"\"\"" : docStripped.hasPrefix("'''") ? "'''" : nil
                var end = docLine + 1
                while end < lines.count {
                    let l = lines[end]
                    let s = l.drop { $0 == " " }
                    if !s.isEmpty, l.count - s.count <= indent { break }
                    end += 1
                }
                defer { i = max(i + 1, j + 1) }
                guard let quote else { continue }
                // The docstring runs to the line holding the closing quotes.
                var docEnd = docLine
                let firstRest = docStripped.dropFirst(3)
                if !firstRest.contains(quote) {
                    docEnd += 1
                    while docEnd < end, !lines[docEnd].contains(quote) { docEnd += 1 }
                }
                let summary = firstRest.replacingOccurrences(of: quote, with: "").trimmingCharacters(in: .whitespaces)
                guard summary.split(separator: " ").count >= 4, docEnd < end else { continue }
                let body = (lines[i...j] + lines[(docEnd + 1)..<end]).joined(separator: "\n")
                guard body.utf8.count > 80 else { continue }
                let whole = lines[i..<end].joined(separator: "\n")
                functions.append(DocumentedFunction(summary: summary, whole: String(whole.utf8.prefix(1024)) ?? whole,
                                                    body: String(body.utf8.prefix(1024)) ?? body))
            }
        }
        return functions
    }

    /// Paragraphs of license and copyright texts, deduplicated, with a first sentence of six words or more.
    static func prosePairs() -> [Pair] {
        var files: [String] = []
        let licenses = "/usr/share/common-licenses"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: licenses)) ?? [] {
            files.append(licenses + "/" + name)
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/usr/share/doc")) ?? [] {
            files.append("/usr/share/doc/\(name)/copyright")
        }
        var seen = Set<String>()
        var pairs: [Pair] = []
        for file in files.sorted() {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else { continue }
            for paragraph in text.components(separatedBy: "\n\n") {
                let words = paragraph.split(whereSeparator: \.isWhitespace)
                guard words.count >= 40 else { continue }
                let flat = words.joined(separator: " ")
                guard let stop = flat.firstIndex(where: { $0 == "." || $0 == ";" || $0 == ":" }) else { continue }
                let query = String(flat[..<stop])
                let rest = String(flat[flat.index(after: stop)...]).trimmingCharacters(in: .whitespaces)
                guard query.split(separator: " ").count >= 6, rest.split(separator: " ").count >= 20 else { continue }
                guard seen.insert(rest).inserted, seen.insert("q:" + query).inserted else { continue }
                pairs.append(Pair(query: query, target: String(rest.utf8.prefix(1024)) ?? rest))
            }
        }
        return pairs
    }
}
