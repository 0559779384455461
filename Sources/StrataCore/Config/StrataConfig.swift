/// Every setting of a Strata node, as read from `config/strata.json`.
///
/// Nested value structs with defaults: a missing key takes its default, an unknown key or a
/// wrong type is refused with the key's path named (see `StrataConfig.parse`). Every setting
/// can also be overridden by an environment variable (`STRATA_` + the path in upper snake
/// case, e.g. `STRATA_RPC_THREADS`) and the executables' flags override both.
public struct StrataConfig: Sendable, Equatable {
    public var node = NodeConfig()
    public var coordinator = CoordinatorConfig()
    public var worker = WorkerConfig()
    public var rpc = RPCConfig()
    public var tiers = TiersConfig()
    public var storage = StorageConfig()
    public var query = QueryConfig()
    public var logging = LoggingConfig()
    public var tls = TLSConfig()
    public var cluster = ClusterConfig()
    public var auth = AuthConfig()
    public var metrics = MetricsConfig()
    public var embedding = EmbeddingConfig()

    public init() {}

    public static let `default` = StrataConfig()
}

/// Settings every node has.
public struct NodeConfig: Sendable, Equatable {
    /// Where the node keeps its data (each node needs its own).
    public var dataDir = "var/strata"
    /// Optional zone label; replicas of a slot go to distinct zones.
    public var zone = ""
    /// host:port that other nodes and clients dial to reach this node; empty means the listen
    /// address, with this machine's host name in place of a wildcard host (0.0.0.0, ::).
    public var advertiseAddress = ""
}

/// The coordinator's settings.
public struct CoordinatorConfig: Sendable, Equatable {
    /// host:port of the client-facing and membership services.
    public var listen = "127.0.0.1:7400"
    /// Port of the Prometheus /metrics endpoint (0 disables it).
    public var metricsPort = 9400
    /// Slots in the cluster (fixed at cluster creation).
    public var slots = 256
    /// Replicas per slot (capped by the number of live workers).
    public var replicas = 3
    /// Replicas that must be durable before a write is acknowledged; 0 means a majority.
    public var writeQuorum = 0
    public var heartbeatIntervalMs = 500
    /// A worker silent this long is suspect.
    public var suspectAfterMs = 2_000
    /// A worker silent this long is dead and its slots are re-replicated.
    public var deadAfterMs = 5_000
    /// Bytes per second one slot copy may use during recovery.
    public var recoveryRateBytesPerSecond = 64 << 20
    /// Slot copies in flight cluster-wide (recovery, catch-up and rebalancing together).
    public var maxCopiesInFlight = 8
    /// Slot copies one worker may receive at once (it may send twice as many).
    public var maxCopiesPerWorker = 2
    /// Of `maxCopiesInFlight`, how many may be rebalancing (e.g. a joining worker's share);
    /// the rest stays free for recovery.
    public var maxRebalanceCopies = 4
    /// A directory sync that sends no report for this long is shown as abandoned (its client
    /// is taken to be gone; a rerun repairs what it left).
    public var syncStaleMs = 60_000
    /// etcd endpoints ("host:port", comma-separated) holding the control plane (cluster map,
    /// namespaces, sequence ceilings, high-water marks) for several coordinators with one
    /// elected leader; empty: files in `node.data_dir` and a single coordinator.
    public var etcdEndpoints = ""
    /// Key prefix of this cluster's control plane in etcd (one etcd can serve several clusters).
    public var etcdPrefix = "/strata/"
    /// The leader's etcd lease: a leader that stops renewing it is replaced after about this long.
    public var leaseTTLMs = 3_000
    /// Operations etcd accepts in one transaction (etcd's --max-txn-ops).
    public var etcdMaxTxnOps = 128
    /// A coordinator that has not confirmed its map with etcd for this long (etcd unreachable,
    /// watch broken) still answers queries from the last map it knew, flagged stale.
    public var staleAfterMs = 10_000
    /// PEM file of the CA that signed the etcd members' certificates; set: etcd is reached
    /// over TLS (empty: plain TCP).
    public var etcdCAFile = ""
    /// PEM certificate and key the coordinator presents to etcd (mutual TLS; both or neither).
    public var etcdCertFile = ""
    public var etcdKeyFile = ""

    /// `etcdEndpoints` as a list (empty: local files).
    public var etcdEndpointList: [String] {
        etcdEndpoints.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }
}

/// A worker's settings.
public struct WorkerConfig: Sendable, Equatable {
    /// host:port of the worker service.
    public var listen = "127.0.0.1:7401"
    /// host:port of the coordinator to register with ("" runs the worker standalone); several,
    /// comma-separated, when coordinators share an etcd control plane (the worker follows
    /// the leader).
    public var coordinator = "127.0.0.1:7400"

    /// `coordinator` as a list.
    public var coordinatorList: [String] {
        coordinator.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }
    /// Port of the Prometheus /metrics endpoint (0 disables it).
    public var metricsPort = 9401
    /// Relative placement weight: a worker of weight 2 gets about twice the slots of one of
    /// weight 1. Configured, not derived from capacities (which change as data arrives, and
    /// would move data with them).
    public var weight = 1.0
    /// How often the worker writes the search-index snapshots of slots that changed (0: only
    /// at shutdown). Bounds what a restart after a crash rebuilds to the slots written since.
    public var indexSnapshotIntervalMs = 60_000
    /// Vectors of one namespace on the worker from which its vector lists are served by an
    /// IVF index instead of the exact scan (the measured switch point, docs/worker-search.md).
    public var ivfMinVectors = 20_000
    /// Vectors per IVF list: the unit scanned, cached in memory and read from disk.
    public var ivfListSize = 512
    /// The fewest IVF lists scanned per query (recall against speed).
    public var ivfProbes = 64
    /// IVF lists scanned per query grow as this times the square root of the list count
    /// (0: always `ivfProbes`).
    public var ivfProbeScale = 3.0
    /// Bytes of IVF lists each namespace's index keeps in memory (the rest is read from disk).
    public var ivfCacheBytes = 268_435_456
}

/// RPC server and channel settings.
public struct RPCConfig: Sendable, Equatable {
    /// Completion-queue threads per server.
    public var threads = 2
    /// Largest message accepted or sent.
    public var maxMessageBytes = 16 << 20
    /// How long a graceful shutdown waits for in-flight calls.
    public var shutdownGraceMs = 5_000
}

/// The three memory tiers (the persistent tier holds everything and has no capacity).
public struct TiersConfig: Sendable, Equatable {
    public var hot = TierSettings.hotDefault
    public var warm = TierSettings.warmDefault
    public var cold = TierSettings.coldDefault
}

/// The persistent tier's settings.
public struct StorageConfig: Sendable, Equatable {
    /// "per_batch" (fsync each batch before acknowledging it) or "interval" (group commit).
    public var fsync = "per_batch"
    /// Group-commit window for the "interval" policy.
    public var fsyncIntervalMs = 5
    /// Largest chunk text accepted.
    public var maxChunkBytes = 64 << 10
    /// Compact a segment when this fraction of it is dead.
    public var compactionDeadRatio = 0.3
    /// The memtable is flushed into a segment once the WAL is this big: the most WAL a
    /// restart after a crash replays.
    public var walFlushBytes = 16 << 20

    /// The policy as the store understands it.
    public var fsyncPolicy: FsyncPolicy {
        fsync == "interval" ? .interval(milliseconds: fsyncIntervalMs) : .perBatch
    }
}

/// Limits and defaults of queries.
public struct QueryConfig: Sendable, Equatable {
    public var defaultTopK = 10
    public var maxTopK = 1_000
    public var defaultTokenBudget = 8_192
    public var maxTokenBudget = 1_000_000
    /// Weight of the lexical ranking in hybrid fusion (0...1).
    public var lexicalWeight = 0.5
    /// A query asks another replica of a worker's slots when that worker has not answered
    /// within this percentile of its recent answer times (the hedge delay) ...
    public var hedgePercentile = 95.0
    /// ... but never sooner than this ...
    public var hedgeMinDelayMs = 50
    /// ... nor later than this (also the delay while a worker has too few recent answers).
    public var hedgeMaxDelayMs = 1_000
}

/// Server-side embedding (namespaces created with an embedder; the coordinator runs it).
public struct EmbeddingConfig: Sendable, Equatable {
    /// Where models are installed (scripts/install-model.sh); empty means
    /// `${XDG_DATA_HOME:-$HOME/.local/share}/strata/models`.
    public var modelsDir = ""
    /// Background embedding threads, each at idle CPU priority; 0 means one per core.
    public var threads = 0
    /// Chunks embedded per round of the background loop (fetched from the workers, embedded,
    /// written back as one replicated write per document).
    public var batchChunks = 32
}

/// Logging.
public struct LoggingConfig: Sendable, Equatable {
    /// trace, debug, info, notice, warning, error, critical.
    public var level = "info"
    /// "text" or "json".
    public var format = "text"
}
