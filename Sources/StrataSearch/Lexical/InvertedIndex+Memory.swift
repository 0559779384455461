extension InvertedIndex {
    var approximateMemoryBytes: Int {
        var bytes = basePostings.capacity * MemoryLayout<Posting>.stride + baseStarts.count * 4
        bytes += addedPostings.reduce(0) { $0 + $1.capacity * MemoryLayout<Posting>.stride }
        bytes += addedPostings.count * MemoryLayout<[Posting]>.stride + documentFrequencies.count * 4
        bytes += baseTerms.bytes.count + baseTerms.offsets.count * 4 + baseTerms.buckets.count * 4
        bytes += addedTerms.bytes.count + addedTerms.offsets.count * 4 + addedTerms.buckets.count * 4
        bytes += lengths.count * 8 + forwardTermCount * 4
        return bytes
    }
}
