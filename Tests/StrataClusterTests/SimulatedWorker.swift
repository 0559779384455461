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
    var incarnation: UInt64 = 1
    /// slot -> highest applied sequence (durable).
    var data: [Int: UInt64] = [:]
    /// Copies this process is running (lost when it crashes).
    var fetches: [Int: Fetch] = [:]

    var address: String { "\(id):7401" }

    var registration: WorkerRegistration {
        WorkerRegistration(id: id, address: address, zone: zone, weight: weight, incarnation: incarnation, positions: data)
    }
}
