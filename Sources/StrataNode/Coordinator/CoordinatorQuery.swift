import Foundation
import StrataCluster
import StrataCore
import StrataRPC
import StrataSearch
import StrataText
import StrataWire

/// The coordinator's read path: one live replica of every slot, one call per worker; BM25
/// statistics gathered from every worker first so that scores are comparable; candidates
/// merged (and re-fused for hybrid) across workers; the context assembled under the budget
/// with the namespace's tokenizer; streamed back as header, passages, summary.
///
/// Every call goes to another replica of its slots when the first does not answer
/// (`HedgedReads`). A slot none of whose replicas answered does not fail the query: the header
/// says which slots are missing (degraded), so an agent never silently gets less than it thinks.
struct CoordinatorQuery: Sendable {
    let namespaces: NamespaceRegistry
    let membership: CoordinatorMembership
    let channels: WorkerChannels
    let limits: QueryConfig
    /// Recent answer times per worker: each read's hedge delay (see `HedgedReads`).
    let latencies: LatencyBook
    /// Embeds query text for namespaces with a server-side embedder.
    let embedding: CoordinatorEmbedding
    /// Why this coordinator's map is stale (not confirmed with etcd for
    /// `coordinator.stale_after_ms`), or nil; the answer's header says so.
    let staleReason: @Sendable () -> String?
    /// Where the tokenizers' vocabularies are, found once (from the environment, which
    /// `ProcessInfo` copies into a new dictionary on every read).
    let vocabulary = VocabularyLocator.fromEnvironment()
    /// Passages longer than this are sent as a passage plus text fragments.
    static let fragmentBytes = 1 << 20

    func query(_ request: QueryRequest, _ writer: ResponseWriter<QueryResponse>, _ context: ServerContext) async throws {
        let settings = try namespaces.settings(request.namespace)
        var embedded = request
        if let embedder = settings.embedder { try embedQueryText(&embedded, embedder: embedder) }
        let request = embedded
        let mode = try resolve(request, settings)
        // Refused here, before any worker is called (each worker checks it again).
        _ = try MetadataFilter(request.filter.metadataEquals.map { (key: $0.key, value: $0.value) })
        let topK = Int(request.topK == 0 ? UInt32(limits.defaultTopK) : request.topK)
        guard topK <= limits.maxTopK else { throw StrataError(.outOfRange, "top_k \(topK) is above the maximum \(limits.maxTopK)") }
        let budget = Int(request.tokenBudget == 0 ? UInt32(limits.defaultTokenBudget) : request.tokenBudget)
        guard budget <= limits.maxTokenBudget else {
            throw StrataError(.outOfRange, "token_budget \(budget) is above the maximum \(limits.maxTokenBudget)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let reads = HedgedReads(membership: membership, latencies: latencies, deadline: started + (context.timeRemaining ?? .seconds(30)))
        let mapStale = staleReason()
        let lexicalQuery = mode == .vector ? nil : try LexicalQuery(text: request.text)
        let weight = request.lexicalWeight > 0 ? Double(request.lexicalWeight) : limits.lexicalWeight
        // An embedder namespace's default is the adaptive fusion; a weight the query gives wins.
        let adaptive = settings.embedder != nil && request.lexicalWeight == 0 ? AdaptiveFusion.default : nil
        let gather = Gather(request: request, mode: mode, topK: topK, lexicalWeight: weight, lexicalQuery: lexicalQuery, reads: reads)
        // The adaptive fusion's score bound needs the cluster-wide statistics on the coordinator.
        let found = await self.gather(gather, statisticsOnWorker: adaptive == nil)
        var missing = found.missing
        var stale = found.stale
        var failures = found.failures
        // The largest BM25 score the query could reach, from the cluster-wide statistics.
        let bound = adaptive == nil ? 0 : lexicalQuery.map { BM25Parameters.default.scoreBound($0, statistics: found.global.statistics(terms: $0.terms)) } ?? 0
        let searched = found.searched
        let candidates = found.candidates
        var ranked = Self.merge(candidates, mode: mode, topK: topK, lexicalWeight: weight, adaptive: adaptive, lexicalBound: bound)
        if Self.fetchesText(mode), ranked.contains(where: { $0.chunk.text.isEmpty }) {
            // Where each kept candidate without text came from (rare: see `fetchesText`).
            let wanted = Set(ranked.lazy.filter { $0.chunk.text.isEmpty }.map(\.chunk.contentHash))
            var source: [ContentHash: HedgedReads.Target] = [:]
            for answer in searched.answers {
                for candidate in answer.value.candidates where wanted.contains(candidate.chunk.contentHash) {
                    source[candidate.chunk.contentHash] = answer.target
                }
            }
            let fetched = await withText(ranked, namespace: request.namespace, source: source, reads: reads)
            ranked = fetched.candidates
            missing.formUnion(fetched.unanswered)
            failures += fetched.failures
        }
        let searchedAt = clock.now

        let tokenizer = try TokenizerRegistry.load(TokenizerKind(rawValue: settings.tokenizer) ?? .cl100k, locator: vocabulary)
        let assembler = try ContextAssembler(counter: tokenizer, settings: ContextAssemblySettings(maximumBudget: limits.maxTokenBudget))
        let context = try assembler.assemble(
            ranked.map { ContextCandidate(provenance: $0.chunk.provenance, text: $0.chunk.text, score: $0.score, tokens: Int($0.chunk.tokenCount)) },
            budget: budget, order: request.order == .score ? .score : .documentPosition)
        let assembled = clock.now

        missing = Set(membership.writtenSlots(missing))
        stale = Set(membership.writtenSlots(stale)).subtracting(missing)
        // A failed worker that held no written slot leaves the answer complete: not degraded.
        let degraded = !missing.isEmpty || !stale.isEmpty
        try await writer.send(.header(QueryHeader(
            mode: mode, degraded: degraded, missingSlots: missing.sorted().map(UInt32.init),
            degradedReason: degraded ? Self.degradedReason(missing: missing.count, stale: stale.count, failures: failures) : "",
            stale: mapStale != nil, staleReason: mapStale ?? "")))
        let ranks = PassageRanks(ranked: ranked.map(\.chunk.provenance))
        // A passage covers chunks of one document, and every chunk carries its document's
        // metadata, so the first candidate of a document stands for all of them.
        let metadata = Dictionary(ranked.map { ($0.chunk.provenance.documentID, $0.chunk.metadata) }, uniquingKeysWith: { first, _ in first })
        for passage in context.passages {
            let provenance = ChunkProvenance(documentID: passage.documentID, byteStart: passage.byteStart, byteEnd: passage.byteEnd,
                                             lineStart: passage.lineStart, lineEnd: passage.lineEnd)
            let pieces = Self.split(passage.text)
            try await writer.send(.passage(Passage(
                provenance: provenance, score: passage.score, tokens: UInt32(passage.tokens), text: pieces.first ?? "",
                rank: UInt32(ranks.rank(of: passage)),
                metadata: metadata[passage.documentID] ?? [])))
            for piece in pieces.dropFirst() { try await writer.send(.textFragment(piece)) }
        }
        try await writer.send(.summary(QuerySummary(
            passages: UInt32(context.passages.count), tokens: UInt32(context.tokens), candidates: UInt32(ranked.count),
            searchMs: (searchedAt - started).seconds * 1000, assembleMs: (assembled - searchedAt).seconds * 1000,
            rendered: budget <= 65_536 ? context.text : "")))
    }

    /// What a query asks every worker, the same for both ways of gathering its candidates.
    struct Gather: Sendable {
        var request: QueryRequest
        var mode: QueryMode
        var topK: Int
        var lexicalWeight: Double
        var lexicalQuery: LexicalQuery?
        var reads: HedgedReads
    }

    /// Every worker's candidates for a query, with what the header needs to say about them.
    struct Gathered {
        var candidates: [Candidate]
        var searched: HedgedReads.Outcome<WorkerSearchResponse>
        /// The cluster-wide BM25 statistics of the query's terms (all zero when the worker
        /// counted them itself, see `gather`).
        var global: TermCounts
        var missing: Set<Int>
        var stale: Set<Int>
        var failures: [String]
    }

    /// Phase 1 (the global BM25 statistics of the query's terms, from every worker) and phase 2
    /// (each worker's candidates over its slots under those statistics).
    ///
    /// With `statisticsOnWorker`, when the plan gives every slot to one worker, phase 1 is
    /// skipped: that worker's own statistics over the slots it is asked for are then the
    /// global ones (the sum over one answer), and a worker given no statistics counts exactly
    /// those (`SlotSearchIndex.search`), so the scores are the same and a round trip is
    /// saved. That holds only while one worker answers for all the slots: when the read was
    /// covered by several replicas instead (hedged or failed over), or the worker did not hold
    /// some of its slots, that answer is dropped and the candidates are gathered again with
    /// phase 1.
    func gather(_ gather: Gather, statisticsOnWorker: Bool) async -> Gathered {
        let request = gather.request
        let reads = gather.reads
        let plan = membership.queryPlan()
        var missing = Set(plan.missing)
        var stale: Set<Int> = []
        var failures: [String] = []
        var targets = HedgedReads.targets(plan)

        // Phase 1: global BM25 statistics for the query's terms.
        let terms = gather.lexicalQuery?.terms ?? []  // distinct, as the workers count them
        var global = TermCounts(documentFrequencies: [UInt64](repeating: 0, count: terms.count))
        let onWorker = statisticsOnWorker && targets.count == 1
        if !terms.isEmpty && !onWorker {
            let outcome = await reads.read(targets) { target, options in
                try StrataWire.LexicalStatistics(serializedBytes: await channels.channel(target.address).unary(
                    MethodPath.workerCollectStatistics,
                    CollectStatisticsRequest(namespace: request.namespace, slots: target.slots.map(UInt32.init), terms: terms,
                                             filter: request.filter).serializedBytes(), options: options))
            }
            for statistics in outcome.answers.map(\.value) { global.add(TermCounts(statistics)) }
            missing.formUnion(outcome.unanswered)
            failures += outcome.failures
            // Phase 2 asks the replicas that answered phase 1, for the same slots.
            targets = outcome.answers.map(\.target)
        }

        // Phase 2: each worker's candidates over its slots. No statistics (empty): the worker
        // counts its own over the slots it is asked for.
        let statistics = onWorker ? StrataWire.LexicalStatistics() : StrataWire.LexicalStatistics(global)
        let mode = gather.mode
        let topK = gather.topK
        let weight = gather.lexicalWeight
        let search: @Sendable (HedgedReads.Target, CallOptions) async throws -> WorkerSearchResponse = { target, options in
            try WorkerSearchResponse(serializedBytes: await channels.channel(target.address).unary(
                MethodPath.workerSearch,
                WorkerSearchRequest(namespace: request.namespace, slots: target.slots.map(UInt32.init), text: request.text,
                                    vector: request.vector, mode: mode, topK: UInt32(topK), filter: request.filter,
                                    globalStatistics: statistics, lexicalWeight: Float(weight), includeText: true).serializedBytes(),
                options: options))
        }
        var searched = await reads.read(targets, search)
        if onWorker && !terms.isEmpty
            && (searched.answers.count > 1 || searched.answers.contains { !membership.writtenSlots($0.value.missingSlots.map(Int.init)).isEmpty }) {
            return await self.gather(gather, statisticsOnWorker: false)
        }
        // A worker whose map was stale says which of its slots it does not hold: their other
        // replicas are asked (once).
        for answer in searched.answers {
            let notHeld = membership.writtenSlots(answer.value.missingSlots.map(Int.init))
            guard !notHeld.isEmpty else { continue }
            let others = await reads.fallback(notHeld, excluding: [answer.target.worker], search)
            searched.add(HedgedReads.Outcome(answers: others.answers.map { other in
                var copy = other
                copy.value.missingSlots = []
                return copy
            }, unanswered: others.unanswered + others.answers.flatMap { membership.writtenSlots($0.value.missingSlots.map(Int.init)) },
               failures: others.failures))
        }
        var candidates: [Candidate] = []
        candidates.reserveCapacity(searched.answers.reduce(0) { $0 + $1.value.candidates.count })
        for answer in searched.answers {
            candidates += answer.value.candidates
            stale.formUnion(answer.target.stale)
        }
        missing.formUnion(searched.unanswered)
        failures += searched.failures
        return Gathered(candidates: candidates, searched: searched, global: global, missing: missing, stale: stale, failures: failures)
    }

    /// For a namespace with a server-side embedder: the query's text becomes its vector too
    /// (unless the query asks for lexical mode), so a text query runs hybrid by default.
    /// A client vector is refused: it could come from another model.
    private func embedQueryText(_ request: inout QueryRequest, embedder: String) throws(StrataError) {
        guard request.vector.isEmpty else {
            throw .invalidArgument("vector is given, but namespace \(request.namespace) embeds query text on the server (\(embedder)); send text only")
        }
        guard request.mode != .lexical, !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        request.vector = try embedding.queryVector(request.text, embedder: embedder)
    }

    /// The mode actually used, after checking that the query has what it needs.
    private func resolve(_ request: QueryRequest, _ settings: NamespaceRegistry.Settings) throws(StrataError) -> QueryMode {
        let hasText = !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        let hasVector = !request.vector.isEmpty
        if hasVector {
            guard settings.dimension > 0 else { throw .invalidArgument("vector given, but namespace \(request.namespace) holds no vectors (dimension 0)") }
            try VectorValidation.validateQuery(request.vector, dimension: Int(settings.dimension), field: "vector")
        }
        let mode: QueryMode = switch request.mode {
        case .auto: hasText && hasVector ? .hybrid : (hasVector ? .vector : .lexical)
        default: request.mode
        }
        if (mode == .lexical || mode == .hybrid) && !hasText { throw .invalidArgument("text is empty; a \(mode) query needs text") }
        if (mode == .vector || mode == .hybrid) && !hasVector { throw .invalidArgument("vector is empty; a \(mode) query needs a vector") }
        // Refused here as the workers would refuse it: else every worker fails and the answer
        // is an empty, degraded one instead of an error.
        guard request.lexicalWeight.isFinite, (0...1).contains(request.lexicalWeight) else {
            throw .invalidArgument("lexical_weight is \(request.lexicalWeight); it must be within 0...1 (0: the server default)")
        }
        return mode
    }

    /// Merges every worker's candidates into one ranking (`ShardResultMerging.merge`: lexical
    /// and vector scores are comparable across workers under global BM25 statistics and one
    /// metric; hybrid re-fuses the two merged lists). Equal-weight fusion uses weights 1 : 1,
    /// as a worker's default does, so a fused score reads the same on either.
    static func merge(_ candidates: [Candidate], mode: QueryMode, topK: Int, lexicalWeight: Double,
                      adaptive: AdaptiveFusion? = nil, lexicalBound: Double = 0) -> [Candidate] {
        let searchMode: SearchMode = switch mode {
        case .vector: .vector
        case .hybrid: .hybrid
        default: .lexical
        }
        let fusion = FusionSettings(lexicalWeight: 2 * lexicalWeight, vectorWeight: 2 * (1 - lexicalWeight))
        let ranked = ShardResultMerging.rankedPositions(candidates.map(\.hit), mode: searchMode, topK: topK, fusion: fusion,
                                                        adaptive: adaptive, lexicalBound: lexicalBound)
        return ranked.map { position, score in
            var candidate = candidates[position]
            if searchMode == .hybrid { candidate.score = score }
            return candidate
        }
    }

    static func degradedReason(missing: Int, stale: Int, failures: [String] = []) -> String {
        var parts: [String] = []
        if !failures.isEmpty { parts.append("workers failed (\(failures.joined(separator: "; ")))") }
        if missing > 0 { parts.append("\(missing) slot(s) have no live replica: their documents are not in this answer") }
        if stale > 0 { parts.append("\(stale) slot(s) were read from a replica that may miss recent writes") }
        return parts.joined(separator: "; ")
    }

    /// Splits text into pieces of at most `fragmentBytes` UTF-8 bytes on character boundaries.
    static func split(_ text: String) -> [String] {
        guard text.utf8.count > fragmentBytes else { return [text] }
        var pieces: [String] = []
        var current = Substring(text)
        while !current.isEmpty {
            var end = current.utf8.index(current.startIndex, offsetBy: min(fragmentBytes, current.utf8.count))
            // Back up to a scalar boundary (never inside a multi-byte UTF-8 sequence).
            while end < current.endIndex && (current.utf8[end] & 0xC0) == 0x80 { end = current.utf8.index(before: end) }
            let cut = current[..<end].isEmpty ? current.index(after: current.startIndex) : end
            pieces.append(String(current[..<cut]))
            current = current[cut...]
        }
        return pieces
    }
}
