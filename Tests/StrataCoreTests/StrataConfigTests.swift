import Foundation
import Testing
@testable import StrataCore

@Suite struct StrataConfigTests {
    private func parse(_ json: String) throws -> StrataConfig {
        try StrataConfig.parse(json: Array(json.utf8), source: "test.json")
    }

    @Test func emptyObjectGivesDefaults() throws {
        #expect(try parse("{}") == .default)
    }

    @Test func shippedConfigParsesToTheDefaults() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/strata.json")
        let data = try Data(contentsOf: url)
        #expect(try StrataConfig.parse(json: [UInt8](data)) == .default)
    }

    @Test func nestedKeysAreApplied() throws {
        let config = try parse(#"{"rpc": {"threads": 4}, "tiers": {"warm": {"precision": "fp16", "capacity_tokens": 5}}, "storage": {"fsync": "interval"}}"#)
        #expect(config.rpc.threads == 4)
        #expect(config.tiers.warm.precision == .float16)
        #expect(config.tiers.warm.capacityTokens == 5)
        #expect(config.storage.fsyncPolicy == .interval(milliseconds: 5))
    }

    @Test func ivfProbeScaleIsReadAndItsRangeChecked() throws {
        #expect(try parse(#"{"worker": {"ivf_probe_scale": 0}}"#).worker.ivfProbeScale == 0)
        #expect(try parse(#"{"worker": {"ivf_probe_scale": 2.5}}"#).worker.ivfProbeScale == 2.5)
        let negative = #expect(throws: StrataError.self) { try parse(#"{"worker": {"ivf_probe_scale": -1}}"#) }
        #expect(negative?.message.contains("worker.ivf_probe_scale") == true)
    }

    @Test func unknownKeyIsRefusedByName() {
        let error = #expect(throws: StrataError.self) { try parse(#"{"rpc": {"thread": 4}}"#) }
        #expect(error?.message == "unknown config key rpc.thread")
    }

    @Test func wrongTypeAndRangeAreRefusedByName() {
        let wrongType = #expect(throws: StrataError.self) { try parse(#"{"rpc": {"threads": "many"}}"#) }
        #expect(wrongType?.message.contains("rpc.threads must be an integer") == true)
        let outOfRange = #expect(throws: StrataError.self) { try parse(#"{"rpc": {"threads": 0}}"#) }
        #expect(outOfRange?.message.contains("rpc.threads must be in 1...64") == true)
        let badEnum = #expect(throws: StrataError.self) { try parse(#"{"tiers": {"hot": {"eviction": "random"}}}"#) }
        #expect(badEnum?.message.contains("tiers.hot.eviction") == true)
        let badAddress = #expect(throws: StrataError.self) { try parse(#"{"worker": {"listen": "localhost"}}"#) }
        #expect(badAddress?.message.contains("worker.listen must be host:port") == true)
    }

    @Test func severalOverridesAreCheckedTogetherInAnyOrder() throws {
        var config = StrataConfig.default
        // Alone, suspect 20000 would exceed the default dead_after_ms (5000).
        try config.set([("coordinator.suspect_after_ms", "20000"), ("coordinator.dead_after_ms", "60000")])
        #expect(config.coordinator.suspectAfterMs == 20_000 && config.coordinator.deadAfterMs == 60_000)
        #expect(throws: StrataError.self) {
            try config.set([("coordinator.dead_after_ms", "100"), ("rpc.threads", "2")])
        }
    }

    @Test func crossKeyRulesAreChecked() {
        let error = #expect(throws: StrataError.self) { try parse(#"{"coordinator": {"replicas": 2, "write_quorum": 3}}"#) }
        #expect(error?.message.contains("coordinator.write_quorum") == true)
    }

    @Test func invalidJSONIsRefused() {
        let error = #expect(throws: StrataError.self) { try parse("{not json") }
        #expect(error?.message.contains("test.json is not valid JSON") == true)
    }

    @Test func environmentAndFlagsOverrideTheFile() throws {
        var config = try parse(#"{"rpc": {"threads": 4}, "node": {"zone": "a"}}"#)
        try config.applyEnvironment(["STRATA_RPC_THREADS": "6", "STRATA_NODE_ZONE": "7", "UNRELATED": "x"])
        #expect(config.rpc.threads == 6)
        #expect(config.node.zone == "7")  // text stays text for string keys
        try config.set("rpc.threads", text: "8")
        #expect(config.rpc.threads == 8)
        let error = #expect(throws: StrataError.self) { try config.set("rpc.threads", text: "eight") }
        #expect(error?.message.contains("rpc.threads") == true)
    }

    @Test func everyKeyHasAnEnvironmentName() {
        #expect(StrataConfig.keyPaths.count >= 30)
        #expect(StrataConfig.keys["tiers.hot.capacity_bytes"]?.environmentName == "STRATA_TIERS_HOT_CAPACITY_BYTES")
    }
}

@Suite struct SecurityConfigTests {
    private func parse(_ json: String) throws -> StrataConfig {
        try StrataConfig.parse(json: Array(json.utf8), source: "test.json")
    }

    @Test func defaultsAreInsecureAndOff() {
        let config = StrataConfig.default
        #expect(!config.tls.isEnabled && config.tls.clientAuth == "auto" && config.tls.reloadIntervalMs == 10_000)
        #expect(!config.auth.enabled && !config.metrics.requireToken && config.cluster.joinSecret.isEmpty)
    }

    @Test func everySecurityKeyIsSetFromTheFileTheEnvironmentAndFlags() throws {
        let config = try parse(#"""
            {"tls": {"cert_file": "/s/node.pem", "key_file": "/s/node.key", "ca_file": "/s/ca.pem", "client_auth": "require",
                     "bind_worker_ids": true, "reload_interval_ms": 0},
             "cluster": {"join_secret_file": "/s/join"},
             "auth": {"enabled": true, "tokens_file": "/s/tokens.json", "bootstrap_token_file": "/s/admin"},
             "metrics": {"listen": "10.0.0.1:9500", "require_token": true}}
            """#)
        #expect(config.tls == TLSConfig(certFile: "/s/node.pem", keyFile: "/s/node.key", caFile: "/s/ca.pem", clientAuth: "require",
                                        bindWorkerIDs: true, reloadIntervalMs: 0))
        #expect(config.cluster.joinSecretFile == "/s/join")
        #expect(config.auth == AuthConfig(enabled: true, tokensFile: "/s/tokens.json", bootstrapTokenFile: "/s/admin"))
        #expect(config.metrics == MetricsConfig(listen: "10.0.0.1:9500", requireToken: true))

        var fromEnvironment = StrataConfig.default
        try fromEnvironment.applyEnvironment([
            "STRATA_TLS_CERT_FILE": "/e/c", "STRATA_TLS_KEY_FILE": "/e/k", "STRATA_AUTH_ENABLED": "true",
            "STRATA_METRICS_REQUIRE_TOKEN": "true", "STRATA_CLUSTER_JOIN_SECRET": "0123456789abcdef0123",
        ])
        #expect(fromEnvironment.tls.certFile == "/e/c" && fromEnvironment.auth.enabled && fromEnvironment.metrics.requireToken)
        #expect(fromEnvironment.cluster.joinSecret == "0123456789abcdef0123")

        var fromFlags = StrataConfig.default
        try fromFlags.set([("tls.cert_file", "c"), ("tls.key_file", "k"), ("tls.ca_file", "ca"), ("tls.client_auth", "optional")])
        #expect(fromFlags.tls.clientAuth == "optional")
    }

    @Test func badValuesAreRefusedNamingTheKey() {
        let cases: [(String, String)] = [
            (#"{"tls": {"client_auth": "always"}}"#, "tls.client_auth must be one of auto, none, optional, require"),
            (#"{"auth": {"enabled": "yes"}}"#, "auth.enabled must be true or false"),
            (#"{"auth": {"enabled": 1}}"#, "auth.enabled must be true or false"),
            (#"{"tls": {"reload_interval_ms": -1}}"#, "tls.reload_interval_ms"),
            (#"{"metrics": {"listen": "nowhere"}}"#, "metrics.listen must be host:port"),
            (#"{"cluster": {"join_secret": "short"}}"#, "cluster.join_secret must be at least 16 characters"),
            (#"{"cluster": {"join_secret": "0123456789abcdef 0123"}}"#, "cluster.join_secret must be printable ASCII"),
        ]
        for (json, expected) in cases {
            let error = #expect(throws: StrataError.self, "\(json)") { try parse(json) }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should contain \(expected)")
        }
        var config = StrataConfig.default
        let flag = #expect(throws: StrataError.self) { try config.set("auth.enabled", text: "maybe") }
        #expect(flag?.message.contains("auth.enabled must be true or false") == true)
    }

    @Test func crossKeyRulesNameTheKeyToChange() {
        let cases: [(String, String)] = [
            (#"{"tls": {"cert_file": "c"}}"#, "tls.key_file must be set when tls.cert_file is"),
            (#"{"tls": {"key_file": "k"}}"#, "tls.cert_file must be set when tls.key_file is"),
            (#"{"tls": {"ca_file": "ca"}}"#, "tls.ca_file needs tls.cert_file"),
            (#"{"tls": {"cert_file": "c", "key_file": "k", "client_auth": "require"}}"#, "tls.client_auth require needs tls.ca_file"),
            (#"{"tls": {"cert_file": "c", "key_file": "k", "bind_worker_ids": true}}"#, "tls.bind_worker_ids needs tls.ca_file"),
            (#"{"cluster": {"join_secret": "0123456789abcdef", "join_secret_file": "f"}}"#, "cluster.join_secret and cluster.join_secret_file are both set"),
            (#"{"metrics": {"require_token": true}}"#, "metrics.require_token needs auth.enabled"),
        ]
        for (json, expected) in cases {
            let error = #expect(throws: StrataError.self, "\(json)") { try parse(json) }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "") should contain \(expected)")
        }
    }
}
