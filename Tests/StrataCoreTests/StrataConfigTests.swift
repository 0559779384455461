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
