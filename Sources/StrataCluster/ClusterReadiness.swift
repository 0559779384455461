import StrataCore

/// Whether a cluster can take a write now, from what `GetClusterStatus` reports: what a
/// launch script waits for before it says the cluster is up (`strata status --wait-ready`).
///
/// | check                                                   | waiting for (when it fails)                  |
/// |---------------------------------------------------------|----------------------------------------------|
/// | each expected worker address is registered              | "worker ADDR has not registered"             |
/// | each expected worker is serving                         | "worker ADDR (ID) is suspect" (or its state) |
/// | no expectation given: some worker serves, none suspect  | "no worker has registered" / "... suspect"   |
/// | every slot fully replicated: its replicas placed, live  | "N of S slots are not fully replicated ..."  |
/// |   and up to date (after a coordinator restart, also     |                                              |
/// |   confirmed by their replicas' reports)                 |                                              |
///
/// Dead workers that nobody expects are ignored: their slots count through the last check.
/// Pure: no I/O, no clock.
public struct ClusterReadiness: Sendable, Equatable {
    /// One worker as the coordinator lists it.
    public struct Worker: Sendable, Equatable {
        public var id: String
        public var address: String
        public var state: NodeState

        public init(id: String, address: String, state: NodeState) {
            self.id = id
            self.address = address
            self.state = state
        }
    }

    /// What is still missing; empty when the cluster is ready.
    public let waitingFor: [String]

    public var isReady: Bool { waitingFor.isEmpty }

    /// - Parameters:
    ///   - expectedWorkers: addresses (host:port, as the workers registered them) that must be
    ///     serving; empty: whichever workers registered.
    public init(
        slotCount: Int, fullyReplicated: Int, unavailable: Int, workers: [Worker], expectedWorkers: [String] = []
    ) {
        var missing: [String] = []
        if expectedWorkers.isEmpty {
            if !workers.contains(where: { $0.state == .serving }) { missing.append("no worker has registered") }
            for worker in workers where worker.state == .suspect || worker.state == .starting {
                missing.append("worker \(worker.address) (\(worker.id)) is \(worker.state.rawValue)")
            }
        } else {
            for address in expectedWorkers {
                // A worker restarted on another id keeps the address: the serving one counts.
                let listed = workers.filter { $0.address == address }
                if listed.isEmpty {
                    missing.append("worker \(address) has not registered")
                } else if !listed.contains(where: { $0.state == .serving }) {
                    missing.append(listed.map { "worker \(address) (\($0.id)) is \($0.state.rawValue)" }.joined(separator: ", "))
                }
            }
        }
        if slotCount == 0 || fullyReplicated < slotCount {
            let unavailableText = unavailable > 0 ? ", \(unavailable) with no live replica" : ""
            missing.append("\(slotCount - fullyReplicated) of \(slotCount) slots are not fully replicated\(unavailableText)")
        }
        waitingFor = missing
    }
}
