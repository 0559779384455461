import StrataCore

/// Builds the context handed to a model from ranked candidates under a token budget.
///
/// Greedy by score: each candidate is skipped if its text was already taken (exact duplicate)
/// or its byte range is already covered; otherwise it joins the passages of its document it
/// overlaps or touches (merged into one passage) or starts a new passage, and is kept only if
/// the exact token count — headers and separators included — still fits. Each passage block
/// is counted exactly when it changes; at the end the whole rendered text is recounted, and
/// should tokenization across block boundaries ever push it over (BPE is not additive in
/// general), the lowest-scored passage is dropped until it fits. The budget is never exceeded.
public struct ContextAssembler: Sendable {
    public let counter: any TokenCounting
    public let settings: ContextAssemblySettings

    public init(counter: any TokenCounting, settings: ContextAssemblySettings = .default) throws(StrataError) {
        try settings.validate()
        self.counter = counter
        self.settings = settings
    }

    public func assemble(_ candidates: [ContextCandidate], budget: Int, order: ContextOrder = .documentPosition) throws(StrataError) -> AssembledContext {
        guard budget >= 1 else { throw .invalidArgument("budget is \(budget); it must be at least 1 token") }
        guard budget <= settings.maximumBudget else {
            throw StrataError(.outOfRange, "budget is \(budget); the maximum is \(settings.maximumBudget)")
        }
        for (i, c) in candidates.enumerated() {
            let p = c.provenance
            guard !c.score.isNaN else { throw .invalidArgument("candidates[\(i)].score is NaN") }
            guard p.byteStart >= 0, p.byteEnd - p.byteStart == c.text.utf8.count else {
                throw .invalidArgument("candidates[\(i)].text has \(c.text.utf8.count) bytes but its provenance spans \(p.byteStart)..<\(p.byteEnd)")
            }
            guard p.lineStart >= 1, p.lineEnd >= p.lineStart else {
                throw .invalidArgument("candidates[\(i)].provenance lines \(p.lineStart)-\(p.lineEnd) are not a 1-based range")
            }
        }
        let ranked = candidates.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.provenance.documentID != b.provenance.documentID { return a.provenance.documentID < b.provenance.documentID }
            return a.provenance.byteStart < b.provenance.byteStart
        }
        let separatorTokens = counter.countTokens(settings.separator)
        var passages: [PassageDraft?] = []
        var byDocument: [String: [Int]] = [:]
        var seenTexts = Set<String>()
        var used = 0
        var liveCount = 0
        var duplicates = 0
        var overBudget = 0

        for candidate in ranked where !candidate.text.isEmpty {
            if used >= budget { overBudget += 1; continue }
            if seenTexts.contains(candidate.text) { duplicates += 1; continue }
            let draft = PassageDraft(candidate)
            let neighbours = (byDocument[draft.documentID] ?? []).filter { passages[$0]!.touches(draft) }
            if neighbours.contains(where: { passages[$0]!.contains(draft) }) { duplicates += 1; continue }
            var merged = PassageDraft.merging(neighbours.map { passages[$0]! } + [draft])
            merged.render(counter: counter)
            let removedTokens = neighbours.reduce(0) { $0 + passages[$1]!.tokens }
            let newCount = liveCount - neighbours.count + 1
            let newUsed = used - removedTokens - separatorTokens * max(liveCount - 1, 0)
                + merged.tokens + separatorTokens * (newCount - 1)
            guard newUsed <= budget else { overBudget += 1; continue }
            for i in neighbours { passages[i] = nil }
            byDocument[draft.documentID] = (byDocument[draft.documentID] ?? []).filter { !neighbours.contains($0) } + [passages.count]
            passages.append(merged)
            seenTexts.insert(candidate.text)
            used = newUsed
            liveCount = newCount
        }

        var chosen = passages.compactMap { $0 }
        while true {
            chosen.sort(by: order == .score ? Self.byScore : Self.byPosition)
            let text = chosen.map(\.rendered).joined(separator: settings.separator)
            let tokens = chosen.isEmpty ? 0 : counter.countTokens(text)
            if tokens <= budget {
                return AssembledContext(
                    text: text, tokens: tokens, budget: budget, passages: chosen.map { $0.finished() },
                    duplicatesSkipped: duplicates, overBudgetSkipped: overBudget)
            }
            // Rare: tokens merged across a block boundary differently than counted per block.
            let worst = chosen.indices.min { Self.byScore(chosen[$1], chosen[$0]) }!
            chosen.remove(at: worst)
            overBudget += 1
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
