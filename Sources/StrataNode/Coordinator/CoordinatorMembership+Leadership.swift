import Foundation
import StrataCluster
import StrataControlPlane
import StrataCore

/// How the membership state follows the coordinator's role when coordinators share etcd: a
/// new leader starts from the control plane as it stands (like a restart: its slots wait
/// for their replicas' reports), a follower keeps the leader's map for query planning.
extension CoordinatorMembership {
    /// Replaces the state with `snapshot`'s (just loaded by a coordinator taking the lead
    /// under `epoch`); returns the records to write before acting as leader.
    func takeOver(_ snapshot: ControlPlaneSnapshot, epoch: UInt64) throws -> [ControlPlaneRecord: [UInt8]?] {
        let restored = try Self.restored(from: snapshot)
        let clusterID = Self.clusterID(in: snapshot)
        var initial: [ControlPlaneRecord: [UInt8]?] = [:]
        let decisions = try withState { state in
            let decisions = try state.core.handle(.leadershipGained(epoch: epoch, restored: restored, now: nowMs))
            state.lastReports = [:]
            if let clusterID, !clusterID.isEmpty {
                state.clusterID = clusterID
            } else {
                // The first leader of a new cluster names it (the id this process made up).
                initial[.clusterID] = Array((state.clusterID + "\n").utf8)
            }
            return decisions
        }
        for case .commitRestartPending(let restart, _) in decisions { initial[.restartPending] = try restart.encoded() }
        return initial
    }

    /// The leadership ended: the leader's map may be followed again.
    func stepDown() {
        _ = try? withState { try $0.core.handle(.leadershipLost) }
    }

    /// Takes the leader's map and cluster id (a follower's view, for planning queries).
    func follow(_ snapshot: ControlPlaneSnapshot) throws {
        guard let bytes = snapshot[.clusterMap] else { return }
        var map = try ClusterMap(json: Data(bytes))
        map.raiseHighWaterMarks(snapshot.highWaterMarks)
        let clusterID = Self.clusterID(in: snapshot)
        try withState { state in
            guard state.core.role == .follower else { return }
            _ = try state.core.handle(.leaderMapLoaded(map))
            if let clusterID, !clusterID.isEmpty { state.clusterID = clusterID }
        }
    }

    /// Takes marks the leader made durable since (a follower's view).
    func followMarks(_ marks: [Int: UInt64]) {
        _ = try? withState { try $0.core.handle(.marksLoaded(marks)) }
    }
}
