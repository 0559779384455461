import StrataCore

/// Builds the context handed to a model from ranked candidates under a token budget.
///
/// Greedy by score: a candidate is skipped if its text was already taken (exact duplicate) or
/// its byte range is already covered; otherwise it joins the passages of its document that it
/// overlaps or touches (merged into one passage) or starts a new passage, and is kept only if
/// the token count — headers and separators included — still fits.
///
/// Counting: while choosing, a passage costs its header's count plus the counts of its chunk
/// texts (given by the store or counted once), so growing a passage never recounts it (which
/// made large budgets quadratic) and each candidate's text is counted at most once. The final
/// passages are counted exactly, and the rendered text's count is made from theirs
/// (`TokenCounting.countTokens(joining:)`, exact); if it does not fit (BPE counts are not additive across piece boundaries), the
/// greedy pass is redone recounting every merged passage in full, and if tokenization across
/// passage boundaries still pushes it over, the lowest-scored passage is dropped until it
/// fits. The budget is never exceeded. (Trailing newlines of a passage are not rendered, so
/// the running count can be a token or so high per passage and leave that much unused.)
public struct ContextAssembler: Sendable {
    public let counter: any TokenCounting
    public let settings: ContextAssemblySettings

    public init(counter: any TokenCounting, settings: ContextAssemblySettings = .default) throws(StrataError) {
        try settings.validate()
        self.counter = counter
        self.settings = settings
    }

    public func assemble(_ candidates: [ContextCandidate], budget: Int, order: ContextOrder = .documentPosition)
        throws(StrataError) -> AssembledContext
    {
        try validate(candidates, budget: budget)
        let ranked = candidates.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.provenance.documentID != b.provenance.documentID {
                return a.provenance.documentID < b.provenance.documentID
            }
            return a.provenance.byteStart < b.provenance.byteStart
        }
        var selection = greedy(ranked, budget: budget, exact: false)
        if let result = finish(&selection, budget: budget, order: order, dropToFit: false) { return result }
        selection = greedy(ranked, budget: budget, exact: true)
        return finish(&selection, budget: budget, order: order, dropToFit: true)!
    }

    private func validate(_ candidates: [ContextCandidate], budget: Int) throws(StrataError) {
        guard budget >= 1 else { throw .invalidArgument("budget is \(budget); it must be at least 1 token") }
        guard budget <= settings.maximumBudget else {
            throw StrataError(.outOfRange, "budget is \(budget); the maximum is \(settings.maximumBudget)")
        }
        for (i, c) in candidates.enumerated() {
            let p = c.provenance
            guard !c.score.isNaN else { throw .invalidArgument("candidates[\(i)].score is NaN") }
            guard p.byteStart >= 0, p.byteEnd - p.byteStart == c.text.utf8.count else {
                throw .invalidArgument(
                    "candidates[\(i)].text has \(c.text.utf8.count) bytes but its provenance spans \(p.byteStart)..<\(p.byteEnd)"
                )
            }
            guard p.lineStart >= 1, p.lineEnd >= p.lineStart else {
                throw .invalidArgument(
                    "candidates[\(i)].provenance lines \(p.lineStart)-\(p.lineEnd) are not a 1-based range")
            }
            if let tokens = c.tokens, tokens < 0 {
                throw .invalidArgument("candidates[\(i)].tokens is \(tokens); it must be >= 0")
            }
        }
    }

    /// What the greedy pass chose.
    struct Selection {
        var passages: [PassageDraft]
        var duplicates: Int
        var overBudget: Int
    }

    private func greedy(_ ranked: [ContextCandidate], budget: Int, exact: Bool) -> Selection {
        let separatorTokens = counter.countTokens(settings.separator)
        var passages: [PassageDraft?] = []
        var byDocument: [String: [Int]] = [:]
        var seenTexts = Set<String>()
        var used = 0
        var live = 0
        var duplicates = 0
        var overBudget = 0

        for candidate in ranked where !candidate.text.isEmpty {
            if used >= budget {
                overBudget += 1
                continue
            }
            if seenTexts.contains(candidate.text) {
                duplicates += 1
                continue
            }
            let draft = PassageDraft(candidate, tokens: candidate.tokens ?? counter.countTokens(candidate.text))
            let neighbours = (byDocument[draft.documentID] ?? []).filter { passages[$0]!.touches(draft) }
            if neighbours.contains(where: { passages[$0]!.contains(draft) }) {
                duplicates += 1
                continue
            }
            var merged =
                neighbours.isEmpty
                ? draft : PassageDraft.merging(neighbours.map { passages[$0]! } + [draft], counter: counter)
            merged.count(counter: counter, exact: exact)
            let removed = neighbours.reduce(0) { $0 + passages[$1]!.tokens }
            let newLive = live - neighbours.count + 1
            let newUsed =
                used - removed - separatorTokens * max(live - 1, 0) + merged.tokens + separatorTokens * (newLive - 1)
            guard newUsed <= budget else {
                overBudget += 1
                continue
            }
            for i in neighbours { passages[i] = nil }
            var slots = byDocument[draft.documentID] ?? []
            slots.removeAll { neighbours.contains($0) }
            slots.append(passages.count)
            byDocument[draft.documentID] = slots
            passages.append(merged)
            seenTexts.insert(candidate.text)
            used = newUsed
            live = newLive
        }
        return Selection(passages: passages.compactMap { $0 }, duplicates: duplicates, overBudget: overBudget)
    }

    /// Orders, renders and recounts. Returns nil when the text does not fit and `dropToFit` is false.
    private func finish(_ selection: inout Selection, budget: Int, order: ContextOrder, dropToFit: Bool)
        -> AssembledContext?
    {
        var chosen = selection.passages
        // Each passage's exact count is part of the answer; the whole text's count is made
        // from them (`countTokens(joining:)`: recounting only where passages meet).
        for i in chosen.indices { chosen[i].renderAndCount(counter: counter) }
        while true {
            chosen.sort(by: order == .score ? Self.byScore : Self.byPosition)
            let text = chosen.map(\.rendered).joined(separator: settings.separator)
            let counts = chosen.map { $0.renderedTokens ?? counter.countTokens($0.rendered) }
            let tokens = chosen.isEmpty ? 0 : counter.countTokens(joining: chosen.map { $0.rendered[...] }, partTokens: counts,
                                                                  separator: settings.separator)
            if tokens <= budget {
                return AssembledContext(
                    text: text, tokens: tokens, budget: budget,
                    passages: chosen.indices.map { chosen[$0].finished(tokens: counts[$0]) },
                    duplicatesSkipped: selection.duplicates, overBudgetSkipped: selection.overBudget)
            }
            guard dropToFit else { return nil }
            let worst = chosen.indices.min { Self.byScore(chosen[$1], chosen[$0]) }!
            chosen.remove(at: worst)
            selection.overBudget += 1
        }
    }

    static func byScore(_ a: PassageDraft, _ b: PassageDraft) -> Bool {
        if a.score != b.score { return a.score > b.score }
        return byPosition(a, b)
    }

    static func byPosition(_ a: PassageDraft, _ b: PassageDraft) -> Bool {
        if a.documentID != b.documentID { return a.documentID < b.documentID }
        return a.byteStart < b.byteStart
    }
}
