import StrataCore

/// The inverted index as snapshot bytes: terms in id order, every posting list in one flat
/// array, and the per-slot arrays as they are. Reading it back costs one dictionary insert
/// per term and a copy of the postings, no term analysis.
extension InvertedIndex {
    func encode(into writer: inout SnapshotWriter) {
        var terms = [String](repeating: "", count: postings.count)
        for (term, id) in termIDs { terms[Int(id)] = term }
        writer.int(terms.count)
        for term in terms { writer.string(term) }
        writer.array(postings.map { Int32($0.count) })
        writer.array(postings.flatMap { $0 })
        writer.array(documentFrequencies)
        writer.array(lengths)
        writer.array(forwardTerms)
        writer.array(forwardStarts)
        writer.int(liveCount)
        writer.int(liveTotalLength)
    }

    init(decoding reader: inout SnapshotReader) throws(StrataError) {
        self.init()
        let termCount = try reader.count(atMost: Int(Int32.max), "the term count")
        termIDs.reserveCapacity(termCount)
        for id in 0..<termCount {
            let term = try reader.string()
            try reader.require(termIDs.updateValue(Int32(id), forKey: term) == nil, "term \"\(term)\" repeats")
        }
        let listLengths = try reader.array(of: Int32.self)
        let flat = try reader.array(of: Posting.self)
        documentFrequencies = try reader.array()
        lengths = try reader.array()
        forwardTerms = try reader.array()
        forwardStarts = try reader.array()
        liveCount = try reader.int()
        liveTotalLength = try reader.int()
        try reader.require(listLengths.count == termCount && documentFrequencies.count == termCount,
                           "per-term arrays disagree with \(termCount) terms")
        try reader.require(forwardStarts.count == lengths.count + 1 && forwardStarts.first == 0
                           && Int(forwardStarts.last!) == forwardTerms.count, "the forward index does not match the slots")
        let slots = Int32(lengths.count)
        try reader.require(flat.allSatisfy { $0.slot >= 0 && $0.slot < slots }, "a posting names a slot beyond \(slots)")
        try reader.require(forwardTerms.allSatisfy { $0 >= 0 && Int($0) < termCount }, "the forward index names an unknown term")
        try reader.require(zip(forwardStarts, forwardStarts.dropFirst()).allSatisfy { $0 <= $1 }, "the forward index is out of order")
        postings.reserveCapacity(termCount)
        var start = 0
        for length in listLengths {
            let end = start + Int(length)
            try reader.require(length >= 0 && end <= flat.count, "posting lists overrun the postings")
            postings.append(Array(flat[start..<end]))
            start = end
        }
        try reader.require(start == flat.count, "postings left over after the last term")
    }
}
