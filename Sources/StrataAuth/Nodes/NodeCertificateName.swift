/// The node a certificate speaks for, from its subject common name (CN). The subject
/// alternative names stay free for the host names and addresses the node is dialled by.
///
/// | CN | names |
/// |---|---|
/// | `strata-coordinator` | the coordinator |
/// | `strata-worker:<node-id>` | the worker with that node id (and no other) |
/// | `strata-worker` | any worker (for clusters that do not bind certificates to node ids) |
public struct NodeCertificateName: Hashable, Sendable, CustomStringConvertible {
    public static let coordinatorName = "strata-coordinator"
    public static let workerName = "strata-worker"

    public let role: NodeRole
    /// The one worker the certificate may act as; nil for the coordinator and unbound workers.
    public let nodeID: String?

    public init(role: NodeRole, nodeID: String? = nil) {
        self.role = role
        self.nodeID = role == .worker ? nodeID : nil
    }

    /// Nil unless `commonName` follows the convention above.
    public init?(commonName: String) {
        if commonName == Self.coordinatorName {
            self.init(role: .coordinator)
        } else if commonName == Self.workerName {
            self.init(role: .worker)
        } else if commonName.hasPrefix(Self.workerName + ":") {
            let id = commonName.dropFirst(Self.workerName.count + 1)
            guard !id.isEmpty, !id.contains(where: { $0 == ":" || $0.isWhitespace }) else { return nil }
            self.init(role: .worker, nodeID: String(id))
        } else {
            return nil
        }
    }

    /// The CN to put in a certificate for this name.
    public var commonName: String {
        switch (role, nodeID) {
        case (.coordinator, _): Self.coordinatorName
        case (.worker, let id?): "\(Self.workerName):\(id)"
        case (.worker, nil): Self.workerName
        }
    }

    public var description: String { commonName }
}
