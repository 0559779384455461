import Foundation
import StrataCore
import Testing

@testable import StrataCluster

@Suite("ClusterMap")
struct ClusterMapTests {
    @Test("a new map has S empty slots and takes R from the config")
    func fresh() throws {
        let map = try ClusterMap(StrataConfig.default.coordinator)
        #expect(map.slotCount == 256 && map.replicationFactor == 3 && map.version == 0)
        #expect(map.slots.count == 256 && map.workers.isEmpty && map.targetReplicaCount == 0)
        #expect(throws: StrataError.invalidArgument("replicas: 0 is out of range; use 1...16")) {
            try ClusterMap(slotCount: 8, replicationFactor: 0)
        }
    }

    @Test("registration validates each field and changes nothing when refused")
    func badRegistrations() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        try map.register(WorkerRegistration(id: "w1", address: "10.0.0.1:7401", incarnation: 3))
        let before = map
        #expect(throws: StrataError.invalidArgument("node_id: must not be empty")) {
            try map.register(WorkerRegistration(id: "", address: "x:1"))
        }
        #expect(throws: StrataError.invalidArgument("address: worker w2 sent an empty address")) {
            try map.register(WorkerRegistration(id: "w2", address: ""))
        }
        #expect(throws: StrataError.invalidArgument("capacity.weight: nan must be a finite number > 0")) {
            try map.register(WorkerRegistration(id: "w2", address: "x:1", weight: .nan))
        }
        #expect(throws: StrataError.invalidArgument("slots: slot 8 is out of range 0..<8")) {
            try map.register(WorkerRegistration(id: "w2", address: "x:1", positions: [8: 1]))
        }
        #expect(throws: StrataError.self) {
            try map.register(WorkerRegistration(id: "w1", address: "10.0.0.9:7401", incarnation: 4))
        }
        #expect(throws: StrataError.failedPrecondition("incarnation: 2 is older than 3 for w1")) {
            try map.register(WorkerRegistration(id: "w1", address: "10.0.0.1:7401", incarnation: 2))
        }
        #expect(map == before)
    }

    @Test("a reused id with another address is accepted once the old worker is confirmed dead")
    func reusedIdAfterDeath() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        try map.register(WorkerRegistration(id: "w1", address: "10.0.0.1:7401", incarnation: 1))
        map.apply([.init(worker: "w1", from: .live, to: .dead, incarnation: 1)])
        try map.register(WorkerRegistration(id: "w1", address: "10.0.0.9:7401", incarnation: 2))
        #expect(map.workers["w1"]?.address == "10.0.0.9:7401")
        #expect(map.workers["w1"]?.state == .live)
    }

    @Test("reports raise the slot's high-water sequence; unknown workers and stale incarnations")
    func reports() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        try map.register(WorkerRegistration(id: "w1", address: "a:1", incarnation: 2))
        try map.applyReport(from: "w1", incarnation: 2, positions: [3: 40])
        #expect(map.slots[3].sequence == 40)
        try map.applyReport(from: "w1", incarnation: 1, positions: [3: 99])  // stale: ignored
        #expect(map.position(of: "w1", slot: 3) == 40)
        #expect(throws: StrataError.notFound("node_id: worker ghost is not registered")) {
            try map.applyReport(from: "ghost", incarnation: 1, positions: [:])
        }
        #expect(throws: StrataError.self) { try map.applyReport(from: "w1", incarnation: 2, positions: [-1: 1]) }
    }

    @Test("JSON round trip is exact and the bytes are stable")
    func codable() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], zones: ["a", "b", "a", "b"], slots: 16)
        try fixture.runToQuiescence()
        try fixture.write(slot: 5, count: 7)
        fixture.setState("w2", .dead)
        fixture.plan()
        let data = try fixture.map.encodedJSON()
        let decoded = try ClusterMap(json: data)
        #expect(decoded == fixture.map)
        #expect(try decoded.encodedJSON() == data)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"formatVersion\":1"))
    }

    @Test("a map with another format version or broken content is refused")
    func badFiles() throws {
        let map = try ClusterMap(slotCount: 4, replicationFactor: 1)
        var object = try JSONSerialization.jsonObject(with: try map.encodedJSON()) as! [String: Any]
        object["formatVersion"] = 2
        #expect(
            throws: StrataError.failedPrecondition("cluster map formatVersion: 2 is not supported (this build reads 1)")
        ) { try ClusterMap(json: try JSONSerialization.data(withJSONObject: object)) }
        object["formatVersion"] = 1
        var slots = object["slots"] as! [[String: Any]]
        slots[0]["replicas"] = ["nobody"]
        object["slots"] = slots
        #expect(throws: StrataError.invalidArgument("cluster map slots[0]: unknown worker nobody")) {
            try ClusterMap(json: try JSONSerialization.data(withJSONObject: object))
        }
        #expect { try ClusterMap(json: Data("{not json".utf8)) } throws: { ($0 as? StrataError)?.code == .dataLoss }
    }

    @Test("a worker holding data cannot be removed; a dead or drained one can")
    func removal() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 8, replicas: 2)
        try fixture.runToQuiescence()
        try fixture.write(slot: 0, count: 3)
        let holder = fixture.map.slots[0].replicas[0]
        #expect(throws: StrataError.self) { try fixture.map.removeWorker(holder) }
        fixture.setState(holder, .dead)
        try fixture.map.removeWorker(holder)
        #expect(fixture.map.workers[holder] == nil)
        #expect(!fixture.map.slots.contains { $0.replicas.contains(holder) })
    }
}
