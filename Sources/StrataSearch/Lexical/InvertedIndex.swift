/// BM25's inverted index over the slots of one shard, with a forward index for exact removal.
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

    var termIDs: [String: Int32] = [:]
    var postings: [[Posting]] = []
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

    /// Appends the next slot with its terms (with repetitions). Returns the new slot.
    @discardableResult
    mutating func append(terms: [String]) -> Int32 {
        let slot = Int32(lengths.count)
        var counts: [Int32: Int32] = [:]
        counts.reserveCapacity(terms.count)
        for term in terms {
            let id: Int32
            if let existing = termIDs[term] {
                id = existing
            } else {
                id = Int32(postings.count)
                termIDs[term] = id
                postings.append([])
                documentFrequencies.append(0)
            }
            counts[id, default: 0] += 1
        }
        // Sorted term ids keep the forward index deterministic.
        for (id, tf) in counts.sorted(by: { $0.key < $1.key }) {
            postings[Int(id)].append(Posting(slot: slot, termFrequency: tf))
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
        guard let id = termIDs[term] else { return 0 }
        return Int(documentFrequencies[Int(id)])
    }

    /// Writes the BM25 score of `query` for every slot into `scores` (one per slot; dead slots
    /// included, the caller rejects them) and returns true; when this index holds none of the
    /// terms it returns false and leaves `scores` untouched (not even zeroed).
    func accumulate(_ query: PreparedLexicalQuery, into scores: UnsafeMutableBufferPointer<Float>) -> Bool {
        var touched = false
        let a = query.lengthConstant
        let c = query.lengthScale
        lengths.withUnsafeBufferPointer { lengths in
            for (term, numeratorScale) in zip(query.terms, query.numeratorScales) {
                guard let id = termIDs[term] else { continue }
                let list = postings[Int(id)]
                guard !list.isEmpty else { continue }
                if !touched {
                    scores.update(repeating: 0)
                    touched = true
                }
                list.withUnsafeBufferPointer { list in
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

    /// A copy holding only the slots where `keep` is true, renumbered densely in order.
    func compacted(keeping keep: [Bool]) -> InvertedIndex {
        var remap = [Int32](repeating: -1, count: slotCount)
        var next: Int32 = 0
        for slot in 0..<slotCount where keep[slot] {
            remap[slot] = next
            next += 1
        }
        var result = InvertedIndex()
        result.termIDs = termIDs
        result.documentFrequencies = documentFrequencies
        result.postings = postings.map { list in
            var kept: [Posting] = []
            kept.reserveCapacity(list.count)
            for p in list where remap[Int(p.slot)] >= 0 {
                kept.append(Posting(slot: remap[Int(p.slot)], termFrequency: p.termFrequency))
            }
            return kept
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
}
