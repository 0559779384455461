/// Where a coordinator stands in the control plane (`strata.v1.ControlPlaneStatus`): its role,
/// the leader's epoch and address, its lease, and how current its cluster map is.
public struct ControlPlaneStatus: Sendable, Codable, Equatable {
    /// A coordinator's part in the control plane.
    public enum Role: String, Sendable, Codable {
        case unspecified
        /// The only coordinator, on local files: it always leads.
        case local
        /// Elected in etcd: it alone changes the map and takes writes.
        case leader
        /// Follows the leader's map in etcd; refuses writes naming the leader.
        case follower
    }

    public var role: Role
    /// The leader's epoch; 0 while no leader is known.
    public var epoch: UInt64
    /// host:port of the leader; empty while none is elected.
    public var leaderAddress: String
    /// Leader on etcd: milliseconds its lease is still known to hold.
    public var leaseSafeMs: UInt64
    public var etcdEndpoints: [String]
    /// Milliseconds since the map was last confirmed with etcd (0 on local files).
    public var confirmedMsAgo: UInt64
    /// The map is older than `coordinator.stale_after_ms`: answers are flagged stale.
    public var stale: Bool

    public init(role: Role, epoch: UInt64 = 0, leaderAddress: String = "", leaseSafeMs: UInt64 = 0,
                etcdEndpoints: [String] = [], confirmedMsAgo: UInt64 = 0, stale: Bool = false) {
        self.role = role
        self.epoch = epoch
        self.leaderAddress = leaderAddress
        self.leaseSafeMs = leaseSafeMs
        self.etcdEndpoints = etcdEndpoints
        self.confirmedMsAgo = confirmedMsAgo
        self.stale = stale
    }

    /// One line for `strata health`, e.g. "leader (epoch 7, lease safe for 1.8 s, etcd a,b)".
    public var summary: String {
        var parts: [String] = []
        switch role {
        case .unspecified: return "unknown"
        case .local: return "leader (local files, epoch \(epoch))"
        case .leader:
            parts.append("epoch \(epoch)")
            parts.append(String(format: "lease safe for %.1f s", Double(leaseSafeMs) / 1000))
        case .follower:
            parts.append(leaderAddress.isEmpty ? "no leader elected" : "leader \(leaderAddress), epoch \(epoch)")
        }
        if !etcdEndpoints.isEmpty { parts.append("etcd \(etcdEndpoints.joined(separator: ","))") }
        if stale { parts.append(String(format: "STALE: map not confirmed for %.1f s", Double(confirmedMsAgo) / 1000)) }
        return "\(role.rawValue) (\(parts.joined(separator: ", ")))"
    }
}
