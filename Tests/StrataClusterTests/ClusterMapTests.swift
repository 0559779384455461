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
        try map.register(WorkerRegistration(id: "w1", address: "10.0.0.1:7401"))
        let before = map
        #expect(throws: StrataError.invalidArgument("node_id: must not be empty")) {
            try map.register(WorkerRegistration(id: "", address: "x:1"))
        }
        #expect(throws: StrataError.invalidArgument("address: worker w2 sent an empty address")) {
            try map.register(WorkerRegistration(id: "w2", address: ""))
        }
        #expect(throws: StrataError.invalidArgument("capacity.weight: nan is out of range 0.01...1000.0")) {
            try map.register(WorkerRegistration(id: "w2", address: "x:1", weight: .nan))
        }
        // Finite but absurd: it would pull every slot onto one worker.
        #expect(throws: StrataError.invalidArgument("capacity.weight: 1e+300 is out of range 0.01...1000.0")) {
            try map.register(WorkerRegistration(id: "w2", address: "x:1", weight: 1e300))
        }
        #expect(throws: StrataError.self) {
            try map.register(WorkerRegistration(id: "w1", address: "10.0.0.9:7401"))
        }
        #expect(map == before)
    }

    @Test("the map assigns incarnations; a heartbeat with any other one changes nothing")
    func incarnations() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        #expect(try map.register(WorkerRegistration(id: "w1", address: "a:1", positions: [3: 5])).incarnation == 1)
        #expect(try map.register(WorkerRegistration(id: "w1", address: "a:1", positions: [3: 5])).incarnation == 2)
        let before = map
        // A stray heartbeat naming the worker with an absurd (or an old) incarnation.
        for stray: UInt64 in [.max, 1, 3] {
            #expect(!map.acceptsHeartbeat(from: "w1", incarnation: stray))
            #expect(throws: StrataError.self) { try map.applyReport(from: "w1", incarnation: stray, positions: [3: 99]) }
        }
        #expect(map == before)
        // The real worker goes on: its heartbeats are accepted, and a restart registers again.
        #expect(map.acceptsHeartbeat(from: "w1", incarnation: 2))
        try map.applyReport(from: "w1", incarnation: 2, positions: [3: 6])
        #expect(map.position(of: "w1", slot: 3) == 6)
        #expect(try map.register(WorkerRegistration(id: "w1", address: "a:1")).incarnation == 3)
        // A map persisted with an absurd incarnation (before they were assigned) starts over.
        var object = try JSONSerialization.jsonObject(with: try map.encodedJSON()) as! [String: Any]
        var workers = object["workers"] as! [[String: Any]]
        workers[0]["incarnation"] = UInt64.max
        object["workers"] = workers
        var reloaded = try ClusterMap(json: try JSONSerialization.data(withJSONObject: object))
        #expect(reloaded.workers["w1"]?.incarnation == 0)
        #expect(try reloaded.register(WorkerRegistration(id: "w1", address: "a:1")).incarnation == 1)
    }

    @Test("a reused id with another address is accepted once the old worker is confirmed dead")
    func reusedIdAfterDeath() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        try map.register(WorkerRegistration(id: "w1", address: "10.0.0.1:7401"))
        map.apply([.init(worker: "w1", from: .live, to: .dead, incarnation: 1)])
        try map.register(WorkerRegistration(id: "w1", address: "10.0.0.9:7401"))
        #expect(map.workers["w1"]?.address == "10.0.0.9:7401")
        #expect(map.workers["w1"]?.state == .live)
    }

    @Test("reports raise the slot's high-water sequence; unknown workers are refused")
    func reports() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        try map.register(WorkerRegistration(id: "w1", address: "a:1"))
        try map.applyReport(from: "w1", incarnation: 1, positions: [3: 40])
        #expect(map.slots[3].sequence == 40)
        #expect(throws: StrataError.notFound("node_id: worker ghost is not registered")) {
            try map.applyReport(from: "ghost", incarnation: 1, positions: [:])
        }
    }

    @Test("slots outside 0..<S and absurd positions are ignored, never held against the worker")
    func outOfRangeReports() throws {
        var map = try ClusterMap(slotCount: 8, replicationFactor: 2)
        // A stray write put slot 300 on this worker's disk before workers refused it.
        let registered = try map.register(WorkerRegistration(id: "w1", address: "a:1", positions: [2: 4, 300: 1, -1: 1]))
        #expect(registered.ignored == IgnoredSlots(outOfRange: [-1, 300]))
        #expect(map.workers["w1"]?.positions == [2: 4])
        let ignored = try map.applyReport(from: "w1", incarnation: 1, positions: [2: 5, 300: 1, 4: UInt64.max])
        #expect(ignored == IgnoredSlots(outOfRange: [300], absurdPositions: [4]))
        #expect(map.workers["w1"]?.positions == [2: 5])
        #expect(map.slots[4].sequence == 0)
        #expect(throws: StrataError.self) { try map.recordWrite(slot: 2, sequence: .max, acks: ["w1"]) }
    }

    @Test("a serving replica's position never goes down within an incarnation (a report older than an ack)")
    func reportOlderThanAck() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 4, replicas: 2)
        try fixture.runToQuiescence()
        try fixture.write(slot: 1, count: 5)
        // The heartbeat was taken before the write at 6 landed and is processed after its ack.
        try fixture.map.recordWrite(slot: 1, sequence: 6, acks: ["w1", "w2"])
        try fixture.report("w1", [1: 5])
        #expect(fixture.map.position(of: "w1", slot: 1) == 6)
        #expect(fixture.map.isUpToDate("w1", slot: 1))
        #expect(QueryPlanner.plan(fixture.map).staleSlots.isEmpty)
        // A slot the worker stops reporting is gone (it dropped it); a restart starts over.
        try fixture.report("w1", [:])
        #expect(fixture.map.position(of: "w1", slot: 1) == nil)
        try fixture.register("w1", positions: [1: 2])
        #expect(fixture.map.position(of: "w1", slot: 1) == 2)
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
