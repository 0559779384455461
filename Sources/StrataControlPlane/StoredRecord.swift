/// A record's bytes and the revision that last wrote them.
public struct StoredRecord: Sendable, Equatable {
    public var bytes: [UInt8]
    public var revision: ControlPlaneRevision

    public init(bytes: [UInt8], revision: ControlPlaneRevision) {
        self.bytes = bytes
        self.revision = revision
    }
}
