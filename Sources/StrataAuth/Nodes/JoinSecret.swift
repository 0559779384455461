import StrataCore

/// The shared secret of a cluster whose node links are not mutually authenticated by TLS
/// (`cluster.join_secret`): every node-to-node call carries it as metadata, and the serving
/// node compares it in constant time. It proves membership of the cluster, not which node
/// is calling; only certificates (`NodeCertificateName`) do that.
public struct JoinSecret: Sendable {
    /// The metadata key node-to-node calls carry it in.
    public static let metadataKey = "x-strata-join-secret"

    /// The secret as sent; nodes put it in their outgoing calls' metadata.
    public let value: String
    private let digest: TokenHash

    /// Checks the secret with the config's rule (`ClusterConfig.joinSecretProblem`).
    public init(_ value: String) throws(StrataError) {
        if let problem = ClusterConfig.joinSecretProblem(value) {
            throw .invalidArgument("cluster.join_secret \(problem)")
        }
        self.value = value
        digest = TokenHash(of: Array(value.utf8))
    }

    /// Whether `presented` is the secret. Both sides are hashed first, so the comparison
    /// takes the same time whatever the presented length or the first differing byte.
    public func matches(_ presented: String) -> Bool {
        digest.matches(TokenHash(of: Array(presented.utf8)))
    }
}
