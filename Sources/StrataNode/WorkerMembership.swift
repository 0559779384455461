import Foundation
import Logging
import StrataCore
import StrataRPC
import StrataStore
import StrataWire
import Synchronization

/// The worker's side of membership: registers with the coordinator, heartbeats its slot
/// positions and tier counters, and carries out the directives it gets back. FETCH copies a
/// slot from another worker's StreamSlot into the local store (idempotent by sequence, so a
/// repeated or overlapping copy is harmless); SERVE needs nothing; DROP is not carried out
/// yet (the data stays, which is safe: the planner never relies on a drop having happened).
final class WorkerMembership: Sendable {
    private let coordinator: any RPCTransport
    private let connect: @Sendable (String) -> any RPCTransport
    private let worker: WorkerIdentityForMembership
    private let logger: Logger
    private let ticker = TickerTask()
    private let state = Mutex<(registered: Bool, fetching: Set<UInt32>, lastError: String?)>((false, [], nil))

    init(coordinatorAddress: String, worker: WorkerIdentityForMembership, logger: Logger,
         connect: @escaping @Sendable (String) -> any RPCTransport) {
        coordinator = connect(coordinatorAddress)
        self.connect = connect
        self.worker = worker
        self.logger = logger
    }

    func start(interval: Duration) {
        ticker.start(every: interval) { [self] in await self.beat() }
    }

    func stop() { ticker.stop() }

    /// One round: register if needed, else heartbeat; then act on the directives.
    func beat() async {
        let options = CallOptions(timeout: .seconds(2))
        do {
            let directives: [SlotDirective]
            if !state.withLock({ $0.registered }) {
                let request = RegisterRequest(nodeID: worker.nodeID, address: worker.address(), zone: worker.zone,
                                              capacity: Capacity(weight: 1), slots: worker.positions(), incarnation: worker.incarnation)
                let response = try RegisterResponse(serializedBytes: await coordinator.unary(
                    MethodPath.membershipRegisterWorker, request.serializedBytes(), options: options))
                state.withLock { $0.registered = true }
                logger.info("registered with the coordinator", metadata: ["cluster": "\(response.clusterID)"])
                directives = response.directives
            } else {
                let (tiers, wal, segments) = worker.counters()
                let request = HeartbeatRequest(nodeID: worker.nodeID, incarnation: worker.incarnation, slots: worker.positions(),
                                               tiers: tiers, walBytes: wal, segmentBytes: segments)
                let response = try HeartbeatResponse(serializedBytes: await coordinator.unary(
                    MethodPath.membershipHeartbeat, request.serializedBytes(), options: options))
                if response.reregister { state.withLock { $0.registered = false } }
                directives = response.directives
            }
            noteRecovered()
            for directive in directives where directive.action == .fetch { startFetch(directive) }
        } catch {
            noteFailure("\(error)")
        }
    }

    /// Copies a slot from its source in the background (one copy per slot at a time).
    private func startFetch(_ directive: SlotDirective) {
        let slot = directive.slot
        guard state.withLock({ $0.fetching.insert(slot).inserted }) else { return }
        Task {
            defer { _ = state.withLock { $0.fetching.remove(slot) } }
            let source = connect(directive.sourceAddress)
            var applied = 0
            do {
                let after = max(directive.fromSequence, worker.sequence(slot))
                for try await bytes in source.serverStreaming(
                    MethodPath.workerStreamSlot, StreamSlotRequest(slot: slot, afterSequence: after).serializedBytes(),
                    options: CallOptions(timeout: .seconds(600))) {
                    if case .write(let write) = try SlotRecord(serializedBytes: bytes) {
                        try worker.apply(slot, write)
                        applied += 1
                    }
                }
                logger.info("copied slot", metadata: ["slot": "\(slot)", "from": "\(directive.sourceAddress)", "writes": "\(applied)"])
                // Report at once instead of at the next tick: the coordinator completes the copy
                // and plans the next ones on this report, so recovery is not paced by heartbeats.
                await beat()
            } catch {
                logger.warning("slot copy failed; the coordinator will ask again", metadata: ["slot": "\(slot)", "error": "\(error)"])
            }
        }
    }

    private func noteFailure(_ message: String) {
        let changed = state.withLock { state -> Bool in
            defer { state.lastError = message; state.registered = false }
            return state.lastError != message
        }
        if changed { logger.warning("coordinator unreachable; retrying", metadata: ["error": "\(message)"]) }
    }

    private func noteRecovered() {
        state.withLock { $0.lastError = nil }
    }
}

/// What membership needs from the worker (kept narrow so the loop is easy to follow).
struct WorkerIdentityForMembership: Sendable {
    let nodeID: String
    let incarnation: UInt64
    let zone: String
    let address: @Sendable () -> String
    let positions: @Sendable () -> [SlotPosition]
    let sequence: @Sendable (UInt32) -> UInt64
    let counters: @Sendable () -> (tiers: [TierStats], wal: UInt64, segments: UInt64)
    let apply: @Sendable (UInt32, StrataWire.SlotWrite) throws -> Void
}
