import StrataCore

/// The inverted index as snapshot bytes: its flat layout (term table, postings and their
/// ranges, per-term and per-slot arrays) copied whole, so reading it back is a few bulk copies
/// and bounds checks, no dictionary built and no term analysed.
extension InvertedIndex {
    func encode(into writer: inout SnapshotWriter) {
        let flat = flattened()
        writer.array(flat.baseTerms.bytes)
        writer.array(flat.baseTerms.offsets)
        writer.array(flat.baseTerms.buckets)
        writer.array(flat.basePostings)
        writer.array(flat.baseStarts)
        writer.array(flat.documentFrequencies)
        writer.array(flat.lengths)
        writer.array(flat.forwardTerms)
        writer.array(flat.forwardStarts)
        writer.int(flat.liveCount)
        writer.int(flat.liveTotalLength)
    }

    init(decoding reader: inout SnapshotReader) throws(StrataError) {
        self.init()
        baseTerms = TermTable(bytes: try reader.array(), offsets: try reader.array(), buckets: try reader.array())
        basePostings = try reader.array()
        baseStarts = try reader.array()
        documentFrequencies = try reader.array()
        lengths = try reader.array()
        forwardTerms = try reader.array()
        forwardStarts = try reader.array()
        liveCount = try reader.int()
        liveTotalLength = try reader.int()
        // Everything a lookup or a scan indexes with is checked, so no snapshot can make them
        // read out of bounds; the frame's checksum vouches for the values themselves.
        let termCount = baseTerms.count
        try reader.require(baseTerms.isWellFormed, "the term table is malformed")
        try reader.require(baseStarts.count == termCount + 1 && documentFrequencies.count == termCount,
                           "per-term arrays disagree with \(termCount) terms")
        try reader.require(baseStarts.first == 0 && Int(baseStarts.last!) == basePostings.count
                           && zip(baseStarts, baseStarts.dropFirst()).allSatisfy { $0 <= $1 }, "posting ranges out of order")
        try reader.require(forwardStarts.count == lengths.count + 1 && forwardStarts.first == 0
                           && Int(forwardStarts.last!) == forwardTerms.count, "the forward index does not match the slots")
        let slots = Int32(lengths.count)
        try reader.require(basePostings.allSatisfy { $0.slot >= 0 && $0.slot < slots }, "a posting names a slot beyond \(slots)")
        let terms = Int32(termCount)
        try reader.require(forwardTerms.allSatisfy { $0 >= 0 && $0 < terms }, "the forward index names an unknown term")
        try reader.require(zip(forwardStarts, forwardStarts.dropFirst()).allSatisfy { $0 <= $1 }, "the forward index is out of order")
    }
}
