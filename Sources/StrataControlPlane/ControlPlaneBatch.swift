/// What one commit writes, and the conditions under which it may.
///
/// The guard: `leader` (the write commits only while that leadership holds) and
/// `expectedRevisions` (each record must still be at the revision the writer last saw; 0:
/// must not exist), so a leader that read the map at r17 cannot overwrite a map written at
/// r18 by anyone else.
public struct ControlPlaneBatch: Sendable, Equatable {
    public var leader: LeaderToken?
    public var expectedRevisions: [ControlPlaneRecord: ControlPlaneRevision]
    /// Records to write (bytes) or delete (nil).
    public var records: [ControlPlaneRecord: [UInt8]?]
    /// High-water marks to write. A mark is a slot's acknowledged sequence: callers never
    /// lower one (`HighWaterMarkCommitter` guarantees it for concurrent writers).
    public var highWaterMarks: [Int: UInt64]

    public init(leader: LeaderToken?, expectedRevisions: [ControlPlaneRecord: ControlPlaneRevision] = [:],
                records: [ControlPlaneRecord: [UInt8]?] = [:], highWaterMarks: [Int: UInt64] = [:]) {
        self.leader = leader
        self.expectedRevisions = expectedRevisions
        self.records = records
        self.highWaterMarks = highWaterMarks
    }

    public var isEmpty: Bool { records.isEmpty && highWaterMarks.isEmpty }

    /// Refuses slots outside 0...99999 (the etcd layout names a slot with five digits; the
    /// cluster map allows far fewer).
    func validate() throws(ControlPlaneError) {
        if let slot = highWaterMarks.keys.first(where: { !EtcdControlPlaneLayout.slots.contains($0) }) {
            throw ControlPlaneError(.invalid, "high-water mark of slot \(slot): slots are \(EtcdControlPlaneLayout.slots)")
        }
    }
}
