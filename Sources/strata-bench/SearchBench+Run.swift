import Foundation
import StrataCluster
import StrataCore
import StrataSearch
import StrataText

/// One corpus size of `strata-bench search`: chunk and count, index, query, assemble, recall.
extension SearchBench {
    func runSize(_ target: Int, real: [BenchDocument], counter: any TokenCounting) throws {
        print("\n== corpus of \(target) tokens ==")
        let chunker = try Chunker(settings: .default)

        // Chunking and token counting, over real files first, then the labelled synthetic tail.
        // The two are timed apart (per document) so each has its own throughput.
        var chunks: [BenchChunk] = []
        var documents: [(id: String, first: Int, count: Int)] = []
        var tokenTotal = 0
        var byteTotal = 0
        var chunkBytes = 0
        var syntheticBytes = 0
        var chunkNanos: UInt64 = 0
        var countNanos: UInt64 = 0
        var round = 0
        fill: while tokenTotal < target {
            for doc in real {
                let d = round == 0 ? doc : BenchDocument(id: "synthetic-repeat-\(round)\(doc.id)", text: doc.text)
                let chunkStart = Self.now()
                let pieces = chunker.chunk(documentID: d.id, text: d.text)
                let countStart = Self.now()
                let counts = pieces.map { counter.countTokens($0.text) }
                let countEnd = Self.now()
                chunkNanos += countStart - chunkStart
                countNanos += countEnd - countStart
                documents.append((d.id, chunks.count, pieces.count))
                for (piece, tokens) in zip(pieces, counts) {
                    chunks.append(BenchChunk(provenance: piece.provenance, text: piece.text, tokens: tokens))
                    chunkBytes += piece.text.utf8.count
                }
                tokenTotal += counts.reduce(0, +)
                byteTotal += d.text.utf8.count
                if round > 0 { syntheticBytes += d.text.utf8.count }
                if tokenTotal >= target { break fill }
            }
            round += 1
        }
        let chunkSeconds = Double(chunkNanos) / 1e9
        let countSeconds = Double(countNanos) / 1e9
        print(
            "corpus: \(documents.count) documents, \(chunks.count) chunks, \(tokenTotal) tokens, \(Self.mb(byteTotal)) MB"
                + (syntheticBytes > 0
                    ? " (SYNTHETIC TAIL: \(Self.mb(syntheticBytes)) MB are repeated copies of the real files)" : ""))
        print(
            String(
                format: "chunk (StrataText Chunker, %d characters): %.2f s, %.1f MB/s, %.0f chunks/s",
                chunker.settings.targetCharacters, chunkSeconds, Double(byteTotal) / 1e6 / chunkSeconds,
                Double(chunks.count) / chunkSeconds))
        print(
            String(
                format: "count tokens (%@, exact BPE, per chunk): %.2f s, %.2f M tokens/s, %.1f MB/s",
                counter.kind.rawValue, countSeconds, Double(tokenTotal) / 1e6 / countSeconds,
                Double(chunkBytes) / 1e6 / countSeconds))

        // The analyzer alone: it runs on every indexed byte.
        let analyzer = CodeTermAnalyzer()
        var termCount = 0
        let analyzeStart = Self.now()
        for chunk in chunks { analyzer.forEachTerm(in: chunk.text) { _ in termCount += 1 } }
        let analyzeSeconds = Self.seconds(since: analyzeStart)
        print(
            String(
                format: "code-aware terms: %.1f MB/s, %.1f M terms/s (%d terms)",
                Double(byteTotal) / 1e6 / analyzeSeconds, Double(termCount) / 1e6 / analyzeSeconds, termCount))

        // Synthetic vectors: a chunk's vector is its document's cluster centre plus noise.
        var rng = SplitMix64(seed: 2026)
        let source = ClusteredVectorSource(dimension: dimension, clusters: 256, spread: 0.5, rng: &rng)
        var floats = [Float]()
        floats.reserveCapacity(chunks.count * dimension)
        // The worker's index as production builds it: one shard per (namespace, slot), the
        // documents spread over the default slot count by the cluster's slot hash.
        var settings = SearchSettings(metric: .cosine)
        settings.maximumTopK = 1000
        let index = SlotSearchIndex(settings: settings, defaultTopK: 10, defaultLexicalWeight: 0.5)
        let hasher = try SlotHasher(slotCount: StrataConfig.default.coordinator.slots)
        let allSlots = (0..<UInt32(hasher.slotCount)).map { $0 }
        let noStore: SlotSearchIndex.SlotReader = { _, _, _ throws(StrataError) in }
        var indexSeconds = 0.0
        for (docIndex, doc) in documents.enumerated() {
            var batch: [SlotSearchIndex.Entry] = []
            for ordinal in 0..<doc.count {
                let chunk = chunks[doc.first + ordinal]
                let vector = source.vector(cluster: docIndex, rng: &rng)
                floats.append(contentsOf: vector)
                let ref = ChunkRef(documentID: doc.id, ordinal: Int32(ordinal), contentHash: Self.benchHash(chunk.text))
                let provenance = chunk.provenance
                batch.append((IndexedChunk(ref: ref, text: chunk.text, vector: vector),
                              IndexedChunkDetail(provenance: provenance, tokenCount: chunk.tokens)))
            }
            let slot = UInt32(hasher.slot(namespace: Self.namespace, documentID: doc.id))
            let start = Self.now()
            try index.upsert(namespace: Self.namespace, slot: slot, documentID: doc.id, chunks: batch, reader: noStore)
            indexSeconds += Self.seconds(since: start)
        }
        let shards = index.snapshot(namespace: Self.namespace, slots: allSlots).shards
        print(
            String(
                format: "index: %d chunks in %d slot shards in %.2f s (%.0f chunks/s, %.1f MB/s); indexes hold ~%.1f MB; process RSS %@",
                shards.reduce(0) { $0 + $1.shard.chunkCount }, shards.count, indexSeconds, Double(chunks.count) / indexSeconds,
                Double(byteTotal) / 1e6 / indexSeconds,
                Double(shards.reduce(0) { $0 + $1.shard.approximateMemoryBytes }) / 1e6, Self.residentSetSize()))

        // Queries: a run of words from a random chunk, and that chunk's vector plus noise.
        let warmup = max(queries / 10, 10)
        var inputs: [(text: String, vector: [Float], chunk: Int)] = []
        for _ in 0..<(queries + warmup) {
            let c = Int.random(in: 0..<chunks.count, using: &rng)
            let words = chunks[c].text.split(whereSeparator: { $0.isWhitespace }).filter {
                $0.contains(where: \.isLetter)
            }
            let from = words.count > 6 ? Int.random(in: 0..<(words.count - 6), using: &rng) : 0
            var text = words.dropFirst(from).prefix(6).joined(separator: " ")
            if text.isEmpty { text = "return value" }
            let vector = floats[(c * dimension)..<((c + 1) * dimension)].map { $0 + 0.3 * rng.gaussian() }
            inputs.append((text, vector, c))
        }
        let firstChunk = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0.first) })
        func chunkIndex(_ ref: ChunkRef) -> Int { firstChunk[ref.documentID]! + Int(ref.ordinal) }
        let timed = Array(inputs.suffix(queries))
        let warm = Array(inputs.prefix(warmup))
        // A query as a one-worker cluster runs it, less the RPCs: the statistics phase, the
        // worker's search over every slot under those statistics, the coordinator's merge.
        func run(_ mode: SearchMode, k: Int = 10, _ input: (text: String, vector: [Float], chunk: Int)) throws
            -> [SearchHit]
        {
            var statistics = TermCounts()
            if mode != .vector {
                let terms = try LexicalQuery(text: input.text).terms
                statistics = index.statistics(namespace: Self.namespace, slots: allSlots, terms: terms)
            }
            let candidates = try index.search(SlotQuery(namespace: Self.namespace, slots: allSlots, text: mode == .vector ? "" : input.text,
                                                        vector: mode == .lexical ? [] : input.vector, mode: mode, topK: UInt32(k),
                                                        globalStatistics: statistics))
            return ShardResultMerging.merge(candidates.map { $0.hit }, mode: mode, topK: k, fusion: .default)
        }
        for mode in SearchMode.allCases {
            for input in warm { _ = try run(mode, input) }
            let summary = try Self.measure(timed, warmup: 0) { _ = try run(mode, $0) }
            print("\(mode.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) top-10: \(summary)")
        }

        // Recall@10 of the INT8 + FP16-rescore path against exact FP32 cosine search.
        var norms = [Float](repeating: 0, count: chunks.count)
        floats.withUnsafeBufferPointer { f in
            for i in 0..<chunks.count {
                var s: Float = 0
                for j in 0..<dimension { s += f[i * dimension + j] * f[i * dimension + j] }
                norms[i] = s.squareRoot()
            }
        }
        let recallQueries = Array(timed.prefix(100))
        var found = 0
        var possible = 0
        for input in recallQueries {
            let truth = Set(Self.exactTopK(input.vector, floats, norms: norms, dimension: dimension, k: 10))
            let hits = try run(.vector, input)
            found += hits.filter { hit in truth.contains(chunkIndex(hit.ref)) }.count
            possible += truth.count
        }
        print(
            String(
                format: "vector recall@10 vs exact FP32 cosine: %.4f (%d queries, synthetic clustered vectors)",
                Double(found) / Double(max(possible, 1)), recallQueries.count))

        // Context assembly from hybrid candidates (fetched untimed), 8K and 128K budgets, counted
        // with the same exact tokenizer; the chunks' stored counts are passed as the store would.
        let assembler = try ContextAssembler(counter: counter)
        for (budget, depth) in [(8_192, 100), (131_072, 1000)] {
            var candidateSets: [[ContextCandidate]] = []
            for input in inputs.prefix(min(inputs.count, queries + warmup)) {
                let hits = try run(.hybrid, k: depth, input)
                candidateSets.append(
                    hits.map { hit in
                        let chunk = chunks[chunkIndex(hit.ref)]
                        return ContextCandidate(
                            provenance: chunk.provenance, text: chunk.text, score: hit.score, tokens: chunk.tokens)
                    })
            }
            var largest = 0
            let timedSets = Array(candidateSets.suffix(queries))
            let summary = try Self.measure(timedSets, warmup: warmup) { set in
                largest = max(largest, try assembler.assemble(set, budget: budget).tokens)
            }
            print(
                "assemble \(budget / 1024)K (\(counter.kind.rawValue)) from \(depth) hybrid candidates: \(summary), largest context \(largest) of \(budget) tokens"
            )
            // Where the time goes: the assembler counts the final text exactly (whole, then per
            // passage), so one count of an assembled text is the floor of its cost.
            let tallying = SearchBenchCountingTokenizer(counter)
            let tallyingAssembler = try ContextAssembler(counter: tallying)
            let texts = try timedSets.prefix(30).map { try tallyingAssembler.assemble($0, budget: budget).text }
            let work = tallying.take()
            let textBytes = Double(texts.reduce(0) { $0 + $1.utf8.count })
            let recount = Self.measure(texts, warmup: 3) { _ = counter.countTokens($0) }
            print(
                String(
                    format:
                        "  one exact count of an assembled %dK text: p50 %.3f ms (%.1f MB/s); per assembly the tokenizer reads %.1fx the text's bytes in %.0f calls",
                    budget / 1024, recount.percentile(50), textBytes / Double(texts.count) / 1e3 / recount.percentile(50),
                    Double(work.bytes) / textBytes, Double(work.calls) / Double(texts.count)))
        }
    }

    /// Exact top-k by FP32 cosine over the flat float array (the reference for recall).
    static func exactTopK(_ query: [Float], _ floats: [Float], norms: [Float], dimension: Int, k: Int) -> [Int] {
        let qn = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var best: [(Float, Int)] = []
        floats.withUnsafeBufferPointer { f in
            for i in 0..<norms.count {
                var dot: Float = 0
                for j in 0..<dimension { dot += f[i * dimension + j] * query[j] }
                let score = dot / (norms[i] * qn)
                if best.count < k || score > best[best.count - 1].0 {
                    best.append((score, i))
                    best.sort { $0.0 > $1.0 }
                    if best.count > k { best.removeLast() }
                }
            }
        }
        return best.map(\.1)
    }

    /// FNV-1a of the text, standing in for the store's XXH3-128 content hash.
    static func benchHash(_ text: String) -> ContentHash {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return ContentHash(high: h, low: UInt64(text.utf8.count))
    }

    static func residentSetSize() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return "?" }
        return line.dropFirst(6).trimmingCharacters(in: .whitespaces)
    }
}
