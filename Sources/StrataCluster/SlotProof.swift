/// What a worker's last report proves about one slot it holds: the position it reported and
/// the digest of its live documents at exactly that position (`SlotPosition.digest`, kept
/// incrementally by the worker's store). Two workers that report the same sequence hold the
/// same documents exactly when their digests agree; a worker that only claims a position
/// (a bug, a copy that lost records, a stray call) cannot produce the digest of data it
/// does not hold. Positions moved by write acknowledgements carry no proof.
public struct SlotProof: Sendable, Equatable, Hashable, Codable {
    public var sequence: UInt64
    public var digest: UInt64

    public init(sequence: UInt64, digest: UInt64) {
        self.sequence = sequence
        self.digest = digest
    }
}
