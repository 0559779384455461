import Foundation

extension StrataConfig {
    /// Every key, by dotted path.
    static let keys: [String: ConfigKey] = {
        var all: [ConfigKey] = [
            .string("node.data_dir", \.node.dataDir, check: { $0.isEmpty ? "must not be empty" : nil }),
            .string("node.zone", \.node.zone),
            .string("node.advertise_address", \.node.advertiseAddress, check: { $0.isEmpty ? nil : addressProblem($0) }),
            .string("coordinator.listen", \.coordinator.listen, check: addressProblem),
            .int("coordinator.metrics_port", \.coordinator.metricsPort, 0...65535),
            .int("coordinator.slots", \.coordinator.slots, 1...65536),
            .int("coordinator.replicas", \.coordinator.replicas, 1...16),
            .int("coordinator.write_quorum", \.coordinator.writeQuorum, 0...16),
            .int("coordinator.heartbeat_interval_ms", \.coordinator.heartbeatIntervalMs, 10...600_000),
            .int("coordinator.suspect_after_ms", \.coordinator.suspectAfterMs, 10...3_600_000),
            .int("coordinator.dead_after_ms", \.coordinator.deadAfterMs, 10...3_600_000),
            .int("coordinator.recovery_rate_bytes_per_second", \.coordinator.recoveryRateBytesPerSecond, 0...(1 << 40)),
            .int("coordinator.max_copies_in_flight", \.coordinator.maxCopiesInFlight, 1...4096),
            .int("coordinator.max_copies_per_worker", \.coordinator.maxCopiesPerWorker, 1...256),
            .int("coordinator.max_rebalance_copies", \.coordinator.maxRebalanceCopies, 1...4096),
            .int("coordinator.sync_stale_ms", \.coordinator.syncStaleMs, 1_000...86_400_000),
            .string("coordinator.etcd_endpoints", \.coordinator.etcdEndpoints, check: addressListProblem),
            .string("coordinator.etcd_prefix", \.coordinator.etcdPrefix, check: { $0.hasPrefix("/") && $0.hasSuffix("/") ? nil : "must start and end with /" }),
            .int("coordinator.lease_ttl_ms", \.coordinator.leaseTTLMs, 1_000...60_000),
            .int("coordinator.etcd_max_txn_ops", \.coordinator.etcdMaxTxnOps, 2...100_000),
            .int("coordinator.stale_after_ms", \.coordinator.staleAfterMs, 100...86_400_000),
            .string("coordinator.etcd_ca_file", \.coordinator.etcdCAFile),
            .string("coordinator.etcd_cert_file", \.coordinator.etcdCertFile),
            .string("coordinator.etcd_key_file", \.coordinator.etcdKeyFile),
            .string("worker.listen", \.worker.listen, check: addressProblem),
            .string("worker.coordinator", \.worker.coordinator, check: addressListProblem),
            .int("worker.metrics_port", \.worker.metricsPort, 0...65535),
            .double("worker.weight", \.worker.weight, MembershipLimits.weights),
            .int("worker.index_snapshot_interval_ms", \.worker.indexSnapshotIntervalMs, 0...86_400_000),
            .int("worker.ivf_min_vectors", \.worker.ivfMinVectors, 1...(1 << 40)),
            .int("worker.ivf_list_size", \.worker.ivfListSize, 1...1_000_000),
            .int("worker.ivf_probes", \.worker.ivfProbes, 1...1_000_000),
            .double("worker.ivf_probe_scale", \.worker.ivfProbeScale, 0...1_000),
            .int("worker.ivf_cache_bytes", \.worker.ivfCacheBytes, 0...(1 << 50)),
            .int("rpc.threads", \.rpc.threads, 1...64),
            .int("rpc.max_message_bytes", \.rpc.maxMessageBytes, 1024...(1 << 30)),
            .int("rpc.shutdown_grace_ms", \.rpc.shutdownGraceMs, 0...600_000),
            .string("storage.fsync", \.storage.fsync, allowed: ["per_batch", "interval"]),
            .int("storage.fsync_interval_ms", \.storage.fsyncIntervalMs, 1...10_000),
            .int("storage.max_chunk_bytes", \.storage.maxChunkBytes, 1...(16 << 20)),
            .double("storage.compaction_dead_ratio", \.storage.compactionDeadRatio, 0.01...1),
            .int("storage.wal_flush_bytes", \.storage.walFlushBytes, 4096...(4 << 30)),
            .int("query.default_top_k", \.query.defaultTopK, 1...100_000),
            .int("query.max_top_k", \.query.maxTopK, 1...100_000),
            .int("query.default_token_budget", \.query.defaultTokenBudget, 1...100_000_000),
            .int("query.max_token_budget", \.query.maxTokenBudget, 1...100_000_000),
            .double("query.lexical_weight", \.query.lexicalWeight, 0...1),
            .double("query.hedge_percentile", \.query.hedgePercentile, 50...100),
            .int("query.hedge_min_delay_ms", \.query.hedgeMinDelayMs, 1...60_000),
            .int("query.hedge_max_delay_ms", \.query.hedgeMaxDelayMs, 1...600_000),
            .string("embedding.models_dir", \.embedding.modelsDir),
            .int("embedding.threads", \.embedding.threads, 0...64),
            .int("embedding.batch_chunks", \.embedding.batchChunks, 1...4096),
            .string("logging.level", \.logging.level,
                    allowed: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
            .string("logging.format", \.logging.format, allowed: ["text", "json"]),
        ]
        all += ConfigKey.tier("hot", \.tiers.hot)
        all += ConfigKey.tier("warm", \.tiers.warm)
        all += ConfigKey.tier("cold", \.tiers.cold)
        all += securityKeys
        return Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
    }()

    /// Every key's dotted path, sorted (for docs and `--help`).
    public static var keyPaths: [String] { keys.keys.sorted() }

    /// Parses a JSON config document over the defaults. Unknown keys and wrong types are
    /// refused with the key named.
    public static func parse(json: [UInt8], source: String = "config") throws(StrataError) -> StrataConfig {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            throw .invalidArgument("\(source) is not valid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else {
            throw .invalidArgument("\(source) must hold a JSON object at the top level")
        }
        var config = StrataConfig()
        for (path, value) in try flatten(root, prefix: "") {
            try config.set(path, value)
        }
        try config.validate()
        return config
    }

    /// Loads a file, then applies environment overrides.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StrataError) -> StrataConfig {
        var config = StrataConfig()
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .notFound("config file \(path) cannot be read")
            }
            config = try parse(json: [UInt8](data), source: path)
        }
        try config.applyEnvironment(environment)
        return config
    }

    /// Applies `STRATA_*` environment variables that name a key.
    public mutating func applyEnvironment(_ environment: [String: String]) throws(StrataError) {
        for key in Self.keys.values {
            if let raw = environment[key.environmentName] {
                try key.apply(&self, .text(raw))
            }
        }
        try validate()
    }

    /// Sets one key from text ("rpc.threads", "4"), as flags and `--set key=value` do.
    public mutating func set(_ path: String, text: String) throws(StrataError) {
        try set(path, .text(text))
        try validate()
    }

    /// Sets several keys from text, then checks the cross-key rules once: the order of the
    /// flags does not matter (`dead_after_ms` and `suspect_after_ms` raised together pass
    /// whichever comes first).
    public mutating func set(_ overrides: [(path: String, text: String)]) throws(StrataError) {
        for (path, text) in overrides { try set(path, .text(text)) }
        try validate()
    }

    mutating func set(_ path: String, _ value: ConfigValue) throws(StrataError) {
        guard let key = Self.keys[path] else {
            throw .invalidArgument("unknown config key \(path)")
        }
        try key.apply(&self, value)
    }

    /// Cross-key rules.
    func validate() throws(StrataError) {
        if coordinator.writeQuorum > coordinator.replicas {
            throw ConfigKey.invalid("coordinator.write_quorum", "(\(coordinator.writeQuorum)) must not exceed coordinator.replicas (\(coordinator.replicas))")
        }
        if coordinator.deadAfterMs < coordinator.suspectAfterMs {
            throw ConfigKey.invalid("coordinator.dead_after_ms", "must be at least coordinator.suspect_after_ms")
        }
        if query.defaultTopK > query.maxTopK {
            throw ConfigKey.invalid("query.default_top_k", "must not exceed query.max_top_k")
        }
        if query.defaultTokenBudget > query.maxTokenBudget {
            throw ConfigKey.invalid("query.default_token_budget", "must not exceed query.max_token_budget")
        }
        if query.hedgeMinDelayMs > query.hedgeMaxDelayMs {
            throw ConfigKey.invalid("query.hedge_min_delay_ms", "must not exceed query.hedge_max_delay_ms")
        }
        try validateSecurity()
    }

    private static func flatten(_ object: [String: Any], prefix: String) throws(StrataError) -> [(String, ConfigValue)] {
        var result: [(String, ConfigValue)] = []
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            if name.hasPrefix("_") { continue }  // "_comment" keys document the file
            switch value {
            case let nested as [String: Any]:
                result += try flatten(nested, prefix: path)
            case let number as NSNumber:
                // JSONSerialization gives booleans as NSNumber too; tell them apart.
                if String(cString: number.objCType) == "c" {
                    result.append((path, .bool(number.boolValue)))
                } else {
                    result.append((path, .number(number.doubleValue)))
                }
            case let string as String:
                result.append((path, .string(string)))
            default:
                throw .invalidArgument("config key \(path) has an unsupported value (arrays and null are not settings)")
            }
        }
        return result
    }
}
