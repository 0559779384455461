/// One committed change, as a watcher sees it: what one transaction wrote.
public struct ControlPlaneUpdate: Sendable, Equatable {
    public var revision: ControlPlaneRevision
    /// Records written (their new bytes) or deleted (nil).
    public var records: [ControlPlaneRecord: [UInt8]?]
    /// High-water marks written.
    public var highWaterMarks: [Int: UInt64]

    public init(revision: ControlPlaneRevision, records: [ControlPlaneRecord: [UInt8]?] = [:], highWaterMarks: [Int: UInt64] = [:]) {
        self.revision = revision
        self.records = records
        self.highWaterMarks = highWaterMarks
    }

    /// The snapshot after this update.
    public func applied(to snapshot: ControlPlaneSnapshot) -> ControlPlaneSnapshot {
        var next = snapshot
        next.revision = max(snapshot.revision, revision)
        for (record, bytes) in records {
            next.records[record] = bytes.map { StoredRecord(bytes: $0, revision: revision) }
        }
        next.highWaterMarks.merge(highWaterMarks) { max($0, $1) }
        return next
    }
}
