import StrataCore

/// The rank a passage reports: that of its best chunk, so passages sorted by rank come in
/// score order (a passage's score is its best chunk's). A passage merged from several chunks
/// starts at its first chunk by position, which is not necessarily its best one.
public struct PassageRanks: Sendable {
    private var chunks: [String: [(rank: Int, start: Int, end: Int)]] = [:]

    /// `ranked`: the provenance of the candidates the context was assembled from, best first.
    public init(ranked: [ChunkProvenance]) {
        for (index, provenance) in ranked.enumerated() {
            chunks[provenance.documentID, default: []].append((index + 1, provenance.byteStart, provenance.byteEnd))
        }
    }

    /// The 1-based rank of the best candidate inside the passage's byte range; 0 when none is.
    public func rank(of passage: ContextPassage) -> Int {
        chunks[passage.documentID]?.first { $0.start >= passage.byteStart && $0.end <= passage.byteEnd }?.rank ?? 0
    }
}
