extension StrataConfig {
    /// The keys of `TLSConfig`, `ClusterConfig`, `AuthConfig` and `MetricsConfig`.
    static let securityKeys: [ConfigKey] = [
        .string("tls.cert_file", \.tls.certFile),
        .string("tls.key_file", \.tls.keyFile),
        .string("tls.ca_file", \.tls.caFile),
        .string("tls.client_auth", \.tls.clientAuth, allowed: TLSConfig.clientAuthModes),
        .bool("tls.bind_worker_ids", \.tls.bindWorkerIDs),
        .int("tls.reload_interval_ms", \.tls.reloadIntervalMs, 0...86_400_000),
        .string("cluster.join_secret", \.cluster.joinSecret, check: { $0.isEmpty ? nil : ClusterConfig.joinSecretProblem($0) }),
        .string("cluster.join_secret_file", \.cluster.joinSecretFile),
        .bool("auth.enabled", \.auth.enabled),
        .string("auth.tokens_file", \.auth.tokensFile),
        .string("auth.bootstrap_token_file", \.auth.bootstrapTokenFile),
        .string("metrics.listen", \.metrics.listen, check: { $0.isEmpty ? nil : addressProblem($0) }),
        .bool("metrics.require_token", \.metrics.requireToken),
    ]

    /// Cross-key rules of the security keys; each error names the key to change.
    func validateSecurity() throws(StrataError) {
        if tls.certFile.isEmpty != tls.keyFile.isEmpty {
            let (missing, set) = tls.certFile.isEmpty ? ("tls.cert_file", "tls.key_file") : ("tls.key_file", "tls.cert_file")
            throw ConfigKey.invalid(missing, "must be set when \(set) is (a certificate and its key go together)")
        }
        if !tls.caFile.isEmpty, !tls.isEnabled {
            throw ConfigKey.invalid("tls.ca_file", "needs tls.cert_file and tls.key_file (a node with a CA serves TLS with its own certificate)")
        }
        if tls.clientAuth == "optional" || tls.clientAuth == "require" {
            guard !tls.caFile.isEmpty else {
                throw ConfigKey.invalid("tls.client_auth", "\(tls.clientAuth) needs tls.ca_file (the CA that signs node certificates)")
            }
        }
        if tls.bindWorkerIDs, tls.caFile.isEmpty {
            throw ConfigKey.invalid("tls.bind_worker_ids", "needs tls.ca_file (worker ids are read from verified client certificates)")
        }
        if !cluster.joinSecret.isEmpty, !cluster.joinSecretFile.isEmpty {
            throw ConfigKey.invalid("cluster.join_secret", "and cluster.join_secret_file are both set; set one")
        }
        if metrics.requireToken, !auth.enabled {
            throw ConfigKey.invalid("metrics.require_token", "needs auth.enabled (scrapers present a token the coordinator issued)")
        }
    }
}
