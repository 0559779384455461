/// Transport security of every gRPC endpoint of a node: the certificate it serves, the CA it
/// trusts for peers, and whether peers must present certificates (mutual TLS). Empty
/// `certFile` means plaintext (the default). Files are read at start and read again when they
/// change or on SIGHUP, so certificates rotate without a restart.
public struct TLSConfig: Sendable, Equatable {
    /// PEM certificate chain this node serves (and presents when it calls other nodes).
    public var certFile = ""
    /// PEM private key of `certFile`.
    public var keyFile = ""
    /// PEM CA bundle that signs the cluster's node certificates: the servers a node dials
    /// must chain to it, and so must the client certificates of node-to-node calls.
    public var caFile = ""
    /// Client certificates: "auto" (= "optional" with a `caFile`, "none" without), "none",
    /// "optional" (verified when presented: node calls then need a node certificate at the
    /// RPC level, while `grpc.health.v1` probes and CLI clients connect without one),
    /// "require" (the handshake fails without one: no probes without certificates).
    public var clientAuth = "auto"
    /// Worker certificates must name the node id the worker acts as (`strata-worker:<id>`);
    /// otherwise `strata-worker` (any worker of the cluster) is accepted too.
    public var bindWorkerIDs = false
    /// How often the files are checked for changes (0: only on SIGHUP).
    public var reloadIntervalMs = 10_000

    /// Whether the node serves TLS.
    public var isEnabled: Bool { !certFile.isEmpty }

    public static let clientAuthModes = ["auto", "none", "optional", "require"]
}

/// Cluster membership secrets.
public struct ClusterConfig: Sendable, Equatable {
    /// Shared secret every node-to-node call carries (metadata `x-strata-join-secret`) and every
    /// node checks; the minimum protection of a cluster without mutual TLS.
    public var joinSecret = ""
    /// A file holding the join secret (first line), instead of `joinSecret`.
    public var joinSecretFile = ""

    public static let joinSecretMinimumLength = 16

    /// What is wrong with a join secret, or nil. The one rule, used by the config and by the
    /// node when it reads `joinSecretFile`.
    public static func joinSecretProblem(_ secret: String) -> String? {
        guard secret.utf8.count >= joinSecretMinimumLength else {
            return "must be at least \(joinSecretMinimumLength) characters (e.g. `openssl rand -hex 32`)"
        }
        guard secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return "must be printable ASCII without spaces (it travels as gRPC metadata)"
        }
        return nil
    }
}

/// Client tokens (coordinator). Workers never see client tokens: their RPCs admit only nodes.
public struct AuthConfig: Sendable, Equatable {
    /// Every client call needs `authorization: Bearer <token>` with a scope for what it does.
    public var enabled = false
    /// The token registry (hashes only); empty means `<node.data_dir>/tokens.json`.
    public var tokensFile = ""
    /// Where the first admin token is taken from, or written to on the first start; empty
    /// means it is printed once on stderr.
    public var bootstrapTokenFile = ""
}

/// The Prometheus endpoint.
public struct MetricsConfig: Sendable, Equatable {
    /// host:port for /metrics; empty means the RPC listen host with the role's metrics port
    /// (`coordinator.metrics_port`, `worker.metrics_port`).
    public var listen = ""
    /// Scrapes need `Authorization: Bearer <token>` (any valid token; `metrics` is the scope
    /// made for scrapers). Needs `auth.enabled`.
    public var requireToken = false
}
