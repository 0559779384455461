@testable import StrataCluster

/// Test double: one worker process of the seeded simulation. Its slot data is on "disk" and
/// survives crashes; a slot is modelled by its sequence number alone.
struct SimulatedWorker {
    struct Fetch: Equatable {
        var source: WorkerID
        var fromSequence: UInt64
    }

    let id: WorkerID
    let zone: String
    let weight: Double
    var running = true
    /// What the coordinator assigned at the last registration.
    var incarnation: UInt64 = 0
    /// The newest coordinator epoch it has heard from (durable: commands of older ones are refused).
    var epoch: UInt64 = 0
    /// slot -> highest applied sequence (durable).
    var data: [Int: UInt64] = [:]
    /// Copies this process is running (lost when it crashes).
    var fetches: [Int: Fetch] = [:]

    var address: String { "\(id):7401" }

    var registration: WorkerRegistration {
        WorkerRegistration(id: id, address: address, zone: zone, weight: weight, positions: data, digests: digests)
    }

    /// Every copy of a slot at one sequence holds the same data in this model: its digest is
    /// a function of the two (`ClusterFixture.digest`).
    var digests: [Int: UInt64] {
        data.reduce(into: [:]) { $0[$1.key] = ClusterFixture.digest(slot: $1.key, sequence: $1.value) }
    }
}
