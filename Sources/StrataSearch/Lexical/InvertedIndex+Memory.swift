extension InvertedIndex {
    var approximateMemoryBytes: Int {
        var bytes = postings.reduce(0) { $0 + $1.capacity * MemoryLayout<Posting>.stride }
        bytes += postings.count * (MemoryLayout<[Posting]>.stride + 4)
        bytes += termIDs.reduce(0) { $0 + $1.key.utf8.count + 16 + 4 }
        bytes += lengths.count * 8 + forwardTermCount * 4
        return bytes
    }
}
