/// The documents the coordinator keeps in its control plane, each stored whole, in the format
/// its owner writes today (the store never parses them): the local store keeps each in its
/// file of the data directory, the etcd store in one key.
public enum ControlPlaneRecord: String, CaseIterable, Sendable, Hashable, Comparable {
    /// The cluster's id, one line of text.
    case clusterID = "cluster-id"
    /// `ClusterMap.encodedJSON()`.
    case clusterMap = "cluster-map"
    /// The per-slot sequence ceilings below which numbers may be handed out (JSON).
    case sequenceCeilings = "sequence-ceilings"
    /// The slots a restarted coordinator still waits to confirm (JSON).
    case restartPending = "restart-pending"
    /// Namespaces with their settings and document tallies (JSON).
    case namespaces = "namespaces"
    /// The client token registry (`TokenRegistry+JSON`: names, scopes, hashes), when
    /// coordinators share etcd; on local files the tokens stay in `auth.tokens_file`.
    case tokens = "tokens"
    /// Each namespace's last and running directory sync (`SyncRegistry`), when coordinators
    /// share etcd; on local files they stay in the coordinator's `syncs.json`.
    case syncs = "syncs"

    /// The file name in a coordinator's data directory (those of the single-coordinator
    /// layout, so an existing data directory is read as it is).
    public var fileName: String {
        switch self {
        case .clusterID: "cluster-id"
        case .clusterMap: "cluster-map.json"
        case .sequenceCeilings: "sequence-ceilings.json"
        case .restartPending: "restart-pending.json"
        case .namespaces: "namespaces.json"
        case .tokens: "shared-tokens.json"
        case .syncs: "shared-syncs.json"
        }
    }

    public static func < (lhs: ControlPlaneRecord, rhs: ControlPlaneRecord) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
