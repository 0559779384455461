/// Everything in the control plane at one revision.
public struct ControlPlaneSnapshot: Sendable, Equatable {
    /// The revision the snapshot was read at; watch after it for what follows.
    public var revision: ControlPlaneRevision
    /// The records that exist.
    public var records: [ControlPlaneRecord: StoredRecord]
    /// Per slot, the highest sequence acknowledged to a client (durable on a write quorum of
    /// its replicas before the acknowledgement). Slots never written are absent.
    public var highWaterMarks: [Int: UInt64]

    public init(revision: ControlPlaneRevision, records: [ControlPlaneRecord: StoredRecord] = [:], highWaterMarks: [Int: UInt64] = [:]) {
        self.revision = revision
        self.records = records
        self.highWaterMarks = highWaterMarks
    }

    public subscript(record: ControlPlaneRecord) -> [UInt8]? { records[record]?.bytes }
}
