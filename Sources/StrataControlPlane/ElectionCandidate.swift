/// A coordinator standing for leadership: its key under the election prefix, as etcd holds it.
public struct ElectionCandidate: Sendable, Hashable, CustomStringConvertible {
    public var key: [UInt8]
    /// The coordinator's client address, the key's value (where followers send clients).
    public var address: String
    /// The revision that created the key: the lowest one alive leads, and it is the epoch.
    public var createRevision: Int64
    public var lease: Int64

    public init(key: [UInt8], address: String, createRevision: Int64, lease: Int64) {
        self.key = key
        self.address = address
        self.createRevision = createRevision
        self.lease = lease
    }

    public var description: String { "\(address) (epoch \(createRevision))" }
}
