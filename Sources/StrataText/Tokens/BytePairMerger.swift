/// Byte-pair merging of one pre-tokenized piece, the same algorithm as tiktoken's
/// `byte_pair_merge`: start from single bytes, repeatedly merge the adjacent pair whose
/// concatenation has the lowest rank (the leftmost one on a tie), until no pair is a token.
/// Reproducing the algorithm, not just the vocabulary, is what makes the ids identical.
struct BytePairMerger {
    let table: RankTable

    /// Calls `emit` with the rank of each token of the `length` bytes at `piece`, in order.
    @inline(__always)
    func encode(_ piece: UnsafePointer<UInt8>, _ length: Int, _ emit: (Int) -> Void) {
        if length == 1 { emit(table.byteRanks[Int(piece[0])]); return }
        if let whole = table.rank(piece, length) { emit(whole); return }
        if length > BytePairMerger.heapThreshold {
            HeapBytePairMerger(table: table).encode(piece, length, emit)
            return
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: length + 1) { starts in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: length + 1) { pairRanks in
                // parts[k] starts at starts[k]; pairRanks[k] is the rank of parts k and k+1
                // merged (Int.max when that is not a token). The last entry is the end.
                var parts = length + 1
                for k in 0..<length {
                    starts[k] = k
                    pairRanks[k] = k + 1 < length ? (table.rank(piece + k, 2) ?? Int.max) : Int.max
                }
                starts[length] = length
                pairRanks[length] = Int.max

                @inline(__always) func rankSpanning(_ k: Int) -> Int {
                    // Rank of parts k, k+1 and k+2 would-be merge: bytes from starts[k] to starts[k+3].
                    guard k + 3 < parts else { return Int.max }
                    return table.rank(piece + starts[k], starts[k + 3] - starts[k]) ?? Int.max
                }

                while true {
                    var best = Int.max
                    var at = -1
                    for k in 0..<(parts - 1) where pairRanks[k] < best {
                        best = pairRanks[k]
                        at = k
                    }
                    if at < 0 { break }
                    if at > 0 { pairRanks[at - 1] = rankSpanning(at - 1) }
                    pairRanks[at] = rankSpanning(at)
                    // Remove part at+1.
                    var k = at + 1
                    while k < parts - 1 {
                        starts[k] = starts[k + 1]
                        pairRanks[k] = pairRanks[k + 1]
                        k += 1
                    }
                    parts -= 1
                }
                for k in 0..<(parts - 1) {
                    let s = starts[k]
                    emit(table.rank(piece + s, starts[k + 1] - s)!)
                }
            }
        }
    }

    /// Pieces longer than this use the O(n log n) heap merger, which gives the same tokens;
    /// the quadratic scan is faster for the short pieces that make up nearly all text.
    static let heapThreshold = 128
}
