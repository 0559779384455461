import StrataCore
import StrataSearch
import StrataWire

/// A `WorkerSearchRequest` checked and resolved: mode, top-k, analyzed text, fusion, filter.
/// Every refusal is a `StrataError` naming the request's field; nothing is searched before.
struct WorkerQueryPlan {
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
    var global: StrataWire.LexicalStatistics?

    init(_ request: WorkerSearchRequest, index: WorkerSearchIndex) throws(StrataError) {
        let hasText = !request.text.isEmpty
        let hasVector = !request.vector.isEmpty
        switch request.mode {
        case .auto:
            guard hasText || hasVector else { throw .invalidArgument("text and vector are both empty; a query needs at least one") }
            mode = hasText && hasVector ? .hybrid : (hasText ? .lexical : .vector)
        case .lexical: mode = .lexical
        case .vector: mode = .vector
        case .hybrid: mode = .hybrid
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
        let metadata = try MetadataFilter(request.filter.metadataEquals)
        matchesNothing = metadata.matchesNothing
        filter = SearchFilter(documentPrefix: request.filter.documentPrefix.isEmpty ? nil : request.filter.documentPrefix,
                              metadataEquals: metadata.required)
        let statistics = request.globalStatistics
        global = statistics.chunkCount > 0 || !statistics.documentFrequencies.isEmpty ? statistics : nil
    }

    /// The coordinator's statistics keyed by this query's terms; nil when none were given.
    func globalStatistics(for query: LexicalQuery) throws(StrataError) -> StrataSearch.LexicalStatistics? {
        guard let global else { return nil }
        guard global.documentFrequencies.count == query.terms.count else {
            throw .invalidArgument("global_statistics.document_frequencies has \(global.documentFrequencies.count) entries; "
                                   + "the text has \(query.terms.count) distinct terms")
        }
        var frequencies: [String: Int] = [:]
        for (term, df) in zip(query.terms, global.documentFrequencies) { frequencies[term] = Int(clamping: df) }
        return StrataSearch.LexicalStatistics(documentCount: Int(clamping: global.chunkCount),
                                              totalLength: Int(clamping: global.totalLength), documentFrequencies: frequencies)
    }
}
