import Testing

@testable import StrataCluster

@Suite("Placement")
struct PlacementTests {
    static func candidates(_ count: Int, prefix: String = "w") -> [Placement.Candidate] {
        (1...count).map { Placement.Candidate(id: "\(prefix)\($0)") }
    }

    static func place(_ candidates: [Placement.Candidate], slots: Int, replicas: Int) -> [[WorkerID]] {
        (0..<slots).map { Placement.replicas(forSlot: $0, among: candidates, count: replicas) }
    }

    /// Replica assignments present after but not before (a (slot, worker) pair that moved in).
    static func moves(_ before: [[WorkerID]], _ after: [[WorkerID]]) -> Int {
        zip(before, after).map { b, a in Set(a).subtracting(b).count }.reduce(0, +)
    }

    @Test("R distinct workers per slot, capped by the number of workers")
    func distinctAndCapped() {
        for slot in 0..<256 {
            let three = Placement.replicas(forSlot: slot, among: Self.candidates(5), count: 3)
            #expect(three.count == 3 && Set(three).count == 3)
            #expect(Placement.replicas(forSlot: slot, among: Self.candidates(2), count: 3).count == 2)
        }
        #expect(Placement.replicas(forSlot: 0, among: [], count: 3).isEmpty)
    }

    @Test("the answer does not depend on the order candidates are given in")
    func orderIndependent() {
        let forward = Self.candidates(7)
        let backward = Array(forward.reversed())
        for slot in 0..<128 {
            #expect(
                Placement.replicas(forSlot: slot, among: forward, count: 3)
                    == Placement.replicas(forSlot: slot, among: backward, count: 3))
        }
    }

    @Test("adding a fifth worker moves about 1/5 of the replicas, all to the new worker")
    func addOneWorker() {
        let slots = 256
        let replicas = 3
        let before = Self.place(Self.candidates(4), slots: slots, replicas: replicas)
        let after = Self.place(Self.candidates(5), slots: slots, replicas: replicas)
        let moved = Self.moves(before, after)
        let ideal = Double(slots * replicas) / 5
        print("placement: adding 1 worker to 4 (S=\(slots), R=\(replicas)) moved \(moved) of \(slots * replicas) replica assignments; ideal \(ideal)")
        #expect(Double(moved) <= 1.5 * ideal)
        #expect(Double(moved) >= 0.5 * ideal)
        for (b, a) in zip(before, after) {
            #expect(Set(a).subtracting(b).isSubset(of: ["w5"]))
        }
    }

    @Test("removing a worker moves only that worker's replicas")
    func removeOneWorker() {
        let before = Self.place(Self.candidates(5), slots: 256, replicas: 3)
        let after = Self.place(Self.candidates(4), slots: 256, replicas: 3)
        let owned = before.filter { $0.contains("w5") }.count
        #expect(Self.moves(before, after) == owned)
        for (b, a) in zip(before, after) {
            #expect(Set(b).subtracting(a).isSubset(of: ["w5"]))
        }
        print("placement: removing 1 worker of 5 moved \(owned) replica assignments (exactly its own)")
    }

    @Test("shares follow capacity weights")
    func weighted() {
        var candidates = Self.candidates(8)
        candidates[0].weight = 2
        candidates[1].weight = 0.5
        var counts: [WorkerID: Int] = [:]
        for slot in 0..<8192 {
            for id in Placement.replicas(forSlot: slot, among: candidates, count: 1) { counts[id, default: 0] += 1 }
        }
        // Total weight 8.5: w1 expects 8192*2/8.5 ≈ 1928, w2 ≈ 482, the others ≈ 964.
        #expect((1735...2120).contains(counts["w1"]!), "\(counts)")
        #expect((410...555).contains(counts["w2"]!), "\(counts)")
        for id in ["w3", "w4", "w5", "w6", "w7", "w8"] {
            #expect((820...1110).contains(counts[id]!), "\(counts)")
        }
    }

    @Test("raising one worker's weight moves replicas only onto it, and weights hold with R > 1")
    func reweighted() {
        let before = Self.place(Self.candidates(4), slots: 1024, replicas: 2)
        var heavier = Self.candidates(4)
        heavier[3].weight = 2
        let after = Self.place(heavier, slots: 1024, replicas: 2)
        // Every replica that moved, moved onto w4: the others only lost some to it.
        for (b, a) in zip(before, after) {
            #expect(Set(a).subtracting(b).isSubset(of: ["w4"]), "\(b) -> \(a)")
        }
        var counts: [WorkerID: Int] = [:]
        for replicas in after { for id in replicas { counts[id, default: 0] += 1 } }
        // With R = 2 a worker cannot hold a slot twice, so a weight-2 share is a little under
        // twice a weight-1 share (about 1.8x here), never equal to it.
        let light = Double(counts["w1"]! + counts["w2"]! + counts["w3"]!) / 3
        let ratio = Double(counts["w4"]!) / light
        #expect(ratio > 1.5 && ratio < 2.1, "\(counts)")
        print("placement: w4 at weight 2 of 1,1,1,2 (S=1024, R=2) holds \(counts["w4"]!) replicas, \(ratio)x a weight-1 worker")
    }

    @Test("replicas land in distinct zones, and reuse zones only when there are fewer zones than R")
    func zones() {
        let six = (1...6).map { Placement.Candidate(id: "w\($0)", zone: "z\($0 % 3)") }
        let four = (1...4).map { Placement.Candidate(id: "w\($0)", zone: "z\($0 % 2)") }
        for slot in 0..<256 {
            let placed = Placement.replicas(forSlot: slot, among: six, count: 3)
            let zonesUsed = Set(placed.map { id in six.first { $0.id == id }!.zone })
            #expect(zonesUsed.count == 3)
            let few = Placement.replicas(forSlot: slot, among: four, count: 3)
            #expect(few.count == 3 && Set(few).count == 3)
            #expect(Set(few.map { id in four.first { $0.id == id }!.zone }).count == 2)
        }
    }

    @Test("workers without a zone are not constrained by zoned ones")
    func mixedZones() {
        let candidates = [
            Placement.Candidate(id: "a", zone: "z1"), Placement.Candidate(id: "b", zone: "z1"),
            Placement.Candidate(id: "c"), Placement.Candidate(id: "d"),
        ]
        for slot in 0..<64 {
            let placed = Placement.replicas(forSlot: slot, among: candidates, count: 3)
            // At most one of a, b (same zone) since c and d can fill the other places.
            #expect(placed.filter { $0 == "a" || $0 == "b" }.count == 1)
        }
    }
}
