import Foundation
import StrataCluster
import StrataControlPlane
import StrataCore

/// How the membership state follows the coordinator's role when coordinators share etcd: a
/// new leader starts from the control plane as it stands (like a restart: its slots wait
/// for their replicas' reports), a follower keeps the leader's map for query planning.
extension CoordinatorMembership {
    /// Replaces the state with `snapshot`'s (just loaded by a coordinator taking the lead);
    /// returns the records to write before acting as leader.
    func takeOver(_ snapshot: ControlPlaneSnapshot) throws -> [ControlPlaneRecord: [UInt8]?] {
        let (fresh, initial) = try Self.state(from: snapshot, config: config, quorum: quorum, now: nowMs)
        replaceState(fresh)
        return initial
    }

    /// Takes the leader's map and cluster id (a follower's view, for planning queries).
    func follow(_ snapshot: ControlPlaneSnapshot) throws {
        guard let bytes = snapshot[.clusterMap] else { return }
        var map = try ClusterMap(json: Data(bytes))
        map.raiseHighWaterMarks(snapshot.highWaterMarks)
        let clusterID = snapshot[.clusterID].map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        replaceMap(map, clusterID: clusterID)
    }

    /// Takes marks the leader made durable since (a follower's view).
    func followMarks(_ marks: [Int: UInt64]) {
        raiseMarks(marks)
    }
}
