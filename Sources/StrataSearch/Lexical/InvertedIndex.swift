/// BM25's inverted index over the slots of one shard, with a forward index for exact removal.
///
/// Flat layout: the postings of every term lie in one contiguous array (`basePostings`, term
/// `id`'s at `baseStarts[id]..<baseStarts[id + 1]`) and the terms in a `TermTable`, so a
/// snapshot is read back with a few bulk copies. That base is frozen at compaction and when a
/// snapshot is read; slots appended since go to per-term lists (`addedPostings`) and terms
/// first seen since to a second, growing table (`addedTerms`). A term's postings are its base range followed by its
/// added list, still in slot order, since appended slots follow every base slot.
///
/// Slots are appended in increasing order and never reused until `compacted(keeping:)`
/// renumbers them, so postings stay sorted by slot without any sorting. Removal marks a slot
/// dead and subtracts it from the statistics at once (using the forward index), while its
/// postings stay in place until the next compaction: the statistics are always exact and a
/// removal costs only the chunk's own distinct terms.
struct InvertedIndex: Sendable {
    /// One occurrence of a term in a chunk: the chunk's slot and the term's count there.
    struct Posting: Sendable {
        var slot: Int32
        var termFrequency: Int32
    }

    /// Terms of the frozen base: ids `0..<baseTerms.count`.
    var baseTerms = TermTable()
    /// Terms first seen since the base was frozen: table id `i` is term id `baseTerms.count + i`.
    /// A `TermTable` too (not `[String: Int32]`), so a query hashes each term once for every
    /// shard (`TermKey`) instead of once per shard.
    var addedTerms = TermTable()
    /// The frozen base's postings, one range per base term.
    var basePostings: [Posting] = []
    var baseStarts: [Int32] = [0]
    /// Postings appended since the freeze, by term id (shorter than the term count when the
    /// last terms have none).
    var addedPostings: [[Posting]] = []
    /// Live chunks containing each term.
    var documentFrequencies: [Int32] = []
    /// Per slot: length in terms.
    var lengths: [Int32] = []
    /// Per slot, the distinct term ids at `forwardTerms[forwardStarts[slot]..<forwardStarts[slot + 1]]`.
    var forwardTerms: [Int32] = []
    var forwardTermCount: Int { forwardTerms.count }
    var forwardStarts: [Int32] = [0]
    var liveCount = 0
    var liveTotalLength = 0

    var slotCount: Int { lengths.count }
    var termCount: Int { documentFrequencies.count }
    /// Whether everything is in the flat base (nothing appended since the freeze).
    var isFlat: Bool { addedTerms.count == 0 && addedPostings.allSatisfy(\.isEmpty) }

    /// The id of `term`, nil when no chunk here ever held it.
    func termID(_ term: String) -> Int32? {
        if baseTerms.count > 0, let id = baseTerms.id(of: term) { return id }
        guard addedTerms.count > 0, let id = addedTerms.id(of: term) else { return nil }
        return Int32(baseTerms.count) + id
    }

    /// `termID` of a term hashed once for many indexes.
    func termID(_ key: TermKey) -> Int32? {
        if baseTerms.count > 0, let id = baseTerms.id(of: key) { return id }
        guard addedTerms.count > 0, let id = addedTerms.id(of: key) else { return nil }
        return Int32(baseTerms.count) + id
    }

    /// Appends the next slot with its terms (with repetitions). Returns the new slot.
    @discardableResult
    mutating func append(terms: [String]) -> Int32 {
        let slot = Int32(lengths.count)
        var counts: [Int32: Int32] = [:]
        counts.reserveCapacity(terms.count)
        for term in terms {
            let id: Int32
            if let existing = termID(term) {
                id = existing
            } else {
                id = Int32(baseTerms.count) + addedTerms.append(term)
                documentFrequencies.append(0)
            }
            counts[id, default: 0] += 1
        }
        if addedPostings.count < documentFrequencies.count {
            addedPostings.append(contentsOf: repeatElement([], count: documentFrequencies.count - addedPostings.count))
        }
        // Sorted term ids keep the forward index deterministic.
        for (id, tf) in counts.sorted(by: { $0.key < $1.key }) {
            addedPostings[Int(id)].append(Posting(slot: slot, termFrequency: tf))
            documentFrequencies[Int(id)] += 1
            forwardTerms.append(id)
        }
        forwardStarts.append(Int32(forwardTerms.count))
        lengths.append(Int32(terms.count))
        liveCount += 1
        liveTotalLength += terms.count
        return slot
    }

    /// Subtracts a live slot from the statistics; its postings stay until compaction.
    mutating func remove(slot: Int32) {
        let s = Int(slot)
        for i in Int(forwardStarts[s])..<Int(forwardStarts[s + 1]) {
            documentFrequencies[Int(forwardTerms[i])] -= 1
        }
        liveCount -= 1
        liveTotalLength -= Int(lengths[s])
    }

    /// Live document frequency of `term` in this index.
    func documentFrequency(of term: String) -> Int {
        guard let id = termID(term) else { return 0 }
        return Int(documentFrequencies[Int(id)])
    }

    /// Live document frequency of a term hashed once for many indexes.
    func documentFrequency(of key: TermKey) -> Int {
        guard let id = termID(key) else { return 0 }
        return Int(documentFrequencies[Int(id)])
    }

    /// Calls `body` with the term's base postings, then with its added ones (either may be empty).
    private func withPostings(of id: Int32, _ body: (UnsafeBufferPointer<Posting>) -> Void) {
        let i = Int(id)
        if i < baseStarts.count - 1 {
            basePostings.withUnsafeBufferPointer { all in
                body(UnsafeBufferPointer(rebasing: all[Int(baseStarts[i])..<Int(baseStarts[i + 1])]))
            }
        }
        if i < addedPostings.count, !addedPostings[i].isEmpty {
            addedPostings[i].withUnsafeBufferPointer(body)
        }
    }

    /// Whether the term has any postings (live or dead).
    private func hasPostings(_ id: Int32) -> Bool {
        let i = Int(id)
        return (i < baseStarts.count - 1 && baseStarts[i] < baseStarts[i + 1]) || (i < addedPostings.count && !addedPostings[i].isEmpty)
    }

    /// Writes the BM25 score of `query` for every slot into `scores` (one per slot; dead slots
    /// included, the caller rejects them) and returns true; when this index holds none of the
    /// terms it returns false and leaves `scores` untouched (not even zeroed).
    func accumulate(_ query: PreparedLexicalQuery, into scores: UnsafeMutableBufferPointer<Float>) -> Bool {
        var touched = false
        let a = query.lengthConstant
        let c = query.lengthScale
        lengths.withUnsafeBufferPointer { lengths in
            for (key, numeratorScale) in zip(query.termKeys, query.numeratorScales) {
                guard let id = termID(key), hasPostings(id) else { continue }
                if !touched {
                    scores.update(repeating: 0)
                    touched = true
                }
                withPostings(of: id) { list in
                    for posting in list {
                        let slot = Int(posting.slot)
                        let tf = Float(posting.termFrequency)
                        scores[slot] += numeratorScale * tf / (tf + a + c * Float(lengths[slot]))
                    }
                }
            }
        }
        return touched
    }

    /// Every term, by id.
    private var allTerms: [String] {
        (0..<baseTerms.count).map { baseTerms.term($0) } + (0..<addedTerms.count).map { addedTerms.term($0) }
    }

    /// A copy holding only the slots where `keep` is true, renumbered densely in order, in the
    /// flat layout (term ids kept).
    func compacted(keeping keep: [Bool]) -> InvertedIndex {
        var remap = [Int32](repeating: -1, count: slotCount)
        var next: Int32 = 0
        for slot in 0..<slotCount where keep[slot] {
            remap[slot] = next
            next += 1
        }
        var result = InvertedIndex()
        result.baseTerms = addedTerms.count == 0 ? baseTerms : TermTable(terms: allTerms)
        result.documentFrequencies = documentFrequencies
        result.basePostings.reserveCapacity(basePostings.count + addedPostings.reduce(0) { $0 + $1.count })
        result.baseStarts.reserveCapacity(termCount + 1)
        for id in 0..<Int32(termCount) {
            withPostings(of: id) { list in
                for p in list where remap[Int(p.slot)] >= 0 {
                    result.basePostings.append(Posting(slot: remap[Int(p.slot)], termFrequency: p.termFrequency))
                }
            }
            result.baseStarts.append(Int32(result.basePostings.count))
        }
        result.forwardTerms.reserveCapacity(forwardTerms.count)
        result.lengths.reserveCapacity(Int(next))
        for slot in 0..<slotCount where keep[slot] {
            result.forwardTerms.append(
                contentsOf: forwardTerms[Int(forwardStarts[slot])..<Int(forwardStarts[slot + 1])])
            result.forwardStarts.append(Int32(result.forwardTerms.count))
            result.lengths.append(lengths[slot])
        }
        result.liveCount = liveCount
        result.liveTotalLength = liveTotalLength
        return result
    }

    /// This index in the flat layout (itself when it already is).
    func flattened() -> InvertedIndex {
        isFlat ? self : compacted(keeping: [Bool](repeating: true, count: slotCount))
    }
}
