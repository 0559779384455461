import StrataCore

/// What a node requires of the callers of its node-to-node RPCs (membership on the
/// coordinator; ApplyWrites, StreamSlot, Search, FetchChunks, … on workers).
public struct NodeAdmissionPolicy: Sendable {
    /// A client certificate that the TLS layer verified against the cluster CA, naming a
    /// Strata node (`NodeCertificateName`). Set when `tls.ca_file` is configured.
    public var requireCertificate: Bool
    /// Worker certificates must name the node id the worker acts as (`strata-worker:<id>`);
    /// an unbound `strata-worker` certificate is refused.
    public var requireBoundWorkerNames: Bool
    /// The cluster's join secret, required of every node call when set.
    public var joinSecret: JoinSecret?

    public init(requireCertificate: Bool, requireBoundWorkerNames: Bool = false, joinSecret: JoinSecret? = nil) {
        self.requireCertificate = requireCertificate
        self.requireBoundWorkerNames = requireBoundWorkerNames
        self.joinSecret = joinSecret
    }

    /// No node authentication at all (a cluster on a trusted network; the default).
    public static let open = NodeAdmissionPolicy(requireCertificate: false)

    /// Whether anything is checked.
    public var isOpen: Bool { !requireCertificate && joinSecret == nil }
}

/// What the transport tells about the caller of one node-to-node call.
public struct NodeCallEvidence: Sendable, Equatable {
    /// The subject CN of the client certificate, when the TLS layer verified one against the
    /// cluster CA (never set from an unverified certificate).
    public var verifiedCommonName: String?
    /// The `x-strata-join-secret` metadata value, if sent.
    public var joinSecret: String?

    public init(verifiedCommonName: String? = nil, joinSecret: String? = nil) {
        self.verifiedCommonName = verifiedCommonName
        self.joinSecret = joinSecret
    }
}

/// The caller of an admitted node call.
public enum NodeCaller: Hashable, Sendable {
    /// Proven by its certificate.
    case certified(NodeCertificateName)
    /// Holds the join secret: some node of this cluster, which one unproven.
    case member
    /// Nothing is checked (open policy).
    case unverified
}

/// The decision for one node-to-node call.
public typealias NodeAdmissionDecision = AuthDecision<NodeCaller>

/// Decides node-to-node calls. Pure: the node's handler passes what the transport knows
/// and what the method allows.
///
/// | policy | evidence | decision |
/// |---|---|---|
/// | join secret set | no secret, or a wrong one | UNAUTHENTICATED |
/// | certificate required | no verified client certificate | UNAUTHENTICATED |
/// | certificate required | CN is not a Strata node name | PERMISSION_DENIED |
/// | certificate required | the name's role is not one the method allows | PERMISSION_DENIED |
/// | certificate required | a worker certificate for node A, the call acting as node B | PERMISSION_DENIED |
/// | certificate required, bound names required | an unbound `strata-worker` certificate | PERMISSION_DENIED |
/// | otherwise | | allowed: `.certified` with a certificate, else `.member` with the secret, else `.unverified` |
///
/// A client certificate from another CA never gets here: the TLS handshake refuses it.
public enum NodeAdmission {
    /// - Parameters:
    ///   - allowed: the roles the method serves (ApplyWrites: coordinator; StreamSlot:
    ///     coordinator and worker; RegisterWorker: worker).
    ///   - actingAs: the node id the call claims to act for (RegisterWorker's and
    ///     Heartbeat's node_id), checked against a bound worker certificate.
    public static func decide(
        _ policy: NodeAdmissionPolicy, _ evidence: NodeCallEvidence, allowed: Set<NodeRole>, actingAs: String? = nil
    ) -> NodeAdmissionDecision {
        if let secret = policy.joinSecret {
            guard let presented = evidence.joinSecret else {
                return .unauthenticated("node calls need the cluster join secret (metadata \(JoinSecret.metadataKey))")
            }
            guard secret.matches(presented) else { return .unauthenticated("wrong cluster join secret") }
        }
        guard policy.requireCertificate else {
            return .allowed(policy.joinSecret == nil ? .unverified : .member)
        }
        guard let commonName = evidence.verifiedCommonName else {
            return .unauthenticated("node calls need a client certificate signed by the cluster CA")
        }
        guard let name = NodeCertificateName(commonName: commonName) else {
            return .permissionDenied("certificate CN \"\(commonName)\" is not a Strata node name (\(NodeCertificateName.coordinatorName), \(NodeCertificateName.workerName):<node-id>)")
        }
        guard allowed.contains(name.role) else {
            let roles = allowed.map(\.rawValue).sorted().joined(separator: " or ")
            return .permissionDenied("this call is for the \(roles); certificate \(name) is a \(name.role)")
        }
        if name.role == .worker {
            switch (name.nodeID, actingAs) {
            case (let bound?, let claimed?) where bound != claimed:
                return .permissionDenied("certificate \(name) may act only as worker \(bound), not \(claimed)")
            case (nil, _) where policy.requireBoundWorkerNames:
                return .permissionDenied("certificate \(name) names no node id; this cluster requires \(NodeCertificateName.workerName):<node-id>")
            default:
                break
            }
        }
        return .allowed(.certified(name))
    }
}
