import StrataCore

/// A `SlotQuery` checked and resolved: mode, top-k, analyzed text, fusion, filter.
/// Every refusal is a `StrataError` naming the request's field (as the wire names it);
/// nothing is searched before.
struct SlotQueryPlan {
    var mode: SearchMode
    var topK: Int
    /// How deep each component list goes: `top_k`, or for hybrid `max(top_k, fusion depth)`
    /// capped at the maximum top-k (as `SearchShard.search` does).
    var depth: Int
    var lexical: LexicalQuery?
    var vector: [Float]?
    var fusion: FusionSettings
    var filter: SearchFilter
    /// The filter names one key with two values: nothing can pass, the search is skipped.
    var matchesNothing: Bool
    var global: TermCounts?

    init(_ request: SlotQuery, index: SlotSearchIndex) throws(StrataError) {
        let hasText = !request.text.isEmpty
        let hasVector = !request.vector.isEmpty
        if let requested = request.mode {
            mode = requested
        } else {
            guard hasText || hasVector else { throw .invalidArgument("text and vector are both empty; a query needs at least one") }
            mode = hasText && hasVector ? .hybrid : (hasText ? .lexical : .vector)
        }
        topK = request.topK == 0 ? index.defaultTopK : Int(request.topK)
        let maximum = index.settings.maximumTopK
        guard topK <= maximum else { throw StrataError(.outOfRange, "top_k is \(topK); the maximum is \(maximum)") }
        guard topK >= 1 else { throw .invalidArgument("top_k is \(topK); it must be at least 1") }
        if mode != .vector {
            lexical = try LexicalQuery(text: request.text, analyzer: CodeTermAnalyzer(), field: "text")
        }
        if mode != .lexical {
            guard hasVector else { throw .invalidArgument("vector is empty; \(mode.rawValue) mode needs a query vector") }
            vector = request.vector
        }
        let weight = request.lexicalWeight == 0 ? index.defaultLexicalWeight : Double(request.lexicalWeight)
        guard weight.isFinite, weight >= 0, weight <= 1 else {
            throw .invalidArgument("lexical_weight is \(request.lexicalWeight); it must be within 0...1")
        }
        fusion = index.settings.fusion
        fusion.lexicalWeight = weight
        fusion.vectorWeight = 1 - weight
        try fusion.validate()
        depth = mode == .hybrid ? min(max(fusion.depth, topK), max(maximum, topK)) : topK
        let metadata = try MetadataFilter(request.metadataEquals)
        matchesNothing = metadata.matchesNothing
        filter = SearchFilter(documentPrefix: request.documentPrefix.isEmpty ? nil : request.documentPrefix,
                              metadataEquals: metadata.required)
        global = request.globalStatistics.isEmpty ? nil : request.globalStatistics
    }

    /// The coordinator's statistics keyed by this query's terms; nil when none were given.
    func globalStatistics(for query: LexicalQuery) throws(StrataError) -> LexicalStatistics? {
        guard let global else { return nil }
        guard global.documentFrequencies.count == query.terms.count else {
            throw .invalidArgument("global_statistics.document_frequencies has \(global.documentFrequencies.count) entries; "
                                   + "the text has \(query.terms.count) distinct terms")
        }
        return global.statistics(terms: query.terms)
    }
}
