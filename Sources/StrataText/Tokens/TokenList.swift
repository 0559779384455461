/// A vocabulary as flat arrays (all token bytes back to back), the form the `.tiktoken`
/// parser produces and `RankTable` consumes, so loading 200 000 tokens allocates a handful of
/// arrays instead of one per token.
struct TokenList {
    var bytes: [UInt8] = []
    var starts: [Int32] = []
    var lengths: [Int32] = []
    var ranks: [Int32] = []

    mutating func append(_ token: ArraySlice<UInt8>, rank: Int) {
        starts.append(Int32(bytes.count))
        lengths.append(Int32(token.count))
        ranks.append(Int32(rank))
        bytes.append(contentsOf: token)
    }
}
