/// One result of an IVF search: the caller's id and the FP16-rescored similarity.
public struct IVFHit: Sendable, Equatable {
    public let id: UInt64
    public let score: Float
}
