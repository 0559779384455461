import Foundation
import Logging
import StrataCluster
import StrataCore
import StrataRPC
import StrataStore
import StrataWire
import Synchronization

/// The worker's side of membership: registers with the coordinator, heartbeats its slot
/// positions and tier counters, and carries out the directives it gets back. FETCH copies a
/// slot from another worker's StreamSlot into the local store (idempotent by sequence, so a
/// repeated or overlapping copy is harmless); SERVE needs nothing; DROP forgets the slot once
/// it has stood for a grace period (`DropSchedule`), unless the same set also asks to serve or
/// fetch the slot or a copy into it is still running (then it waits for the next set).
///
/// What to call and what the answers lead to is decided by `WorkerMembershipCore` (pure); this
/// class is its shell: the calls, the copies, the drops on the worker, the logs.
///
/// With several coordinators (etcd), the worker talks to one at a time: it moves to the next
/// when a call fails, and straight to the leader when a follower names it. Answers of an
/// older coordinator epoch than the newest seen (`CoordinatorEpochFence`) are ignored.
final class WorkerMembership: Sendable {
    private let coordinators: CoordinatorAddresses
    private let fence: CoordinatorEpochFence
    private let connect: @Sendable (String) -> any RPCTransport
    /// Weak: the worker owns this loop.
    private weak let worker: (any MembershipWorker)?
    private let logger: Logger
    private let ticker = TickerTask()
    /// The decisions: which call to make, which copies and drops the answers lead to.
    private let core: Mutex<WorkerMembershipCore>
    /// Bytes received and announced per running copy (reported in heartbeats).
    private let progress = Mutex<[UInt32: SlotCopyProgress]>([:])
    private let clock = ContinuousClock()
    private let epoch: ContinuousClock.Instant
    private let now: @Sendable () -> Duration

    /// `now` is the node's clock (simulated in tests), which times the drop grace period; a
    /// copy's token bucket paces real bytes in real time.
    init(coordinatorAddresses: [String], fence: CoordinatorEpochFence, worker: any MembershipWorker, logger: Logger, dropGrace: Duration,
         now: @escaping @Sendable () -> Duration, connect: @escaping @Sendable (String) -> any RPCTransport) {
        coordinators = CoordinatorAddresses(coordinatorAddresses, connect: connect)
        self.fence = fence
        self.connect = connect
        self.now = now
        self.worker = worker
        self.logger = logger
        core = Mutex(WorkerMembershipCore(dropGrace: dropGrace))
        epoch = clock.now
    }

    func start(interval: Duration) {
        ticker.start(every: interval) { [self] in await self.beat() }
    }

    func stop() { ticker.stop() }

    /// One round: register if needed, else heartbeat; then act on the directives.
    func beat() async {
        // A worker torn down without `stop` leaves nothing to report.
        guard let worker else { return }
        let options = CallOptions(timeout: .seconds(2))
        let coordinator = coordinators.current
        do {
            let operations: [WorkerMembershipCore.Operation]
            if core.withLock({ $0.needsRegistration }) {
                let request = worker.registration()
                let response = try RegisterResponse(serializedBytes: await coordinator.transport.unary(
                    MethodPath.membershipRegisterWorker, request.serializedBytes(), options: options))
                try fence.admit(response.coordinatorEpoch, doing: "the registration answer's directives")
                worker.learnSlotCount(response.slotCount)
                operations = core.withLock { [now] in
                    $0.registered(incarnation: response.incarnation, directives: response.directives, now: now())
                }
                logger.info("registered with the coordinator", metadata: [
                    "cluster": "\(response.clusterID)", "incarnation": "\(response.incarnation)", "slots": "\(response.slotCount)",
                ])
            } else {
                let copies = progress.withLock { $0.values.sorted { $0.slot < $1.slot } }
                let request = worker.heartbeat(incarnation: core.withLock { $0.incarnation }, copies: copies)
                let response = try HeartbeatResponse(serializedBytes: await coordinator.transport.unary(
                    MethodPath.membershipHeartbeat, request.serializedBytes(), options: options))
                try fence.admit(response.coordinatorEpoch, doing: "the heartbeat answer's directives")
                operations = core.withLock { [now] in
                    $0.heartbeatAnswered(reregister: response.reregister, directives: response.directives, now: now())
                }
            }
            for operation in operations {
                switch operation {
                case .fetch(let directive): startFetch(directive)
                case .drop(let drop): carryOut(drop)
                }
            }
        } catch {
            coordinators.failed(coordinator.address, error: error)
            let message = "\(coordinator.address): \(error)"
            if core.withLock({ $0.callFailed(message) }) {
                logger.warning("coordinator unreachable; retrying", metadata: ["error": "\(message)"])
            }
        }
    }

    /// Copies a slot from its source in the background (the core starts one copy per slot at a
    /// time), at most at the directive's rate (a token bucket over the bytes received: recovery
    /// must not starve queries, on this worker or on the source, whose sends wait for our reads).
    private func startFetch(_ directive: StrataWire.SlotDirective) {
        let slot = directive.slot
        progress.withLock { $0[slot] = SlotCopyProgress(slot: slot) }
        Task {
            defer {
                core.withLock { $0.copyEnded(slot) }
                _ = progress.withLock { $0.removeValue(forKey: slot) }
            }
            let source = connect(directive.sourceAddress)
            var bucket = TokenBucket(bytesPerSecond: directive.rateLimitBytesPerSecond)
            var applied = 0
            var received: UInt64 = 0
            do {
                let after = try max(directive.fromSequence, liveWorker().heldSequence(of: slot))
                for try await bytes in source.serverStreaming(
                    MethodPath.workerStreamSlot, StreamSlotRequest(slot: slot, afterSequence: after).serializedBytes(),
                    options: CallOptions(timeout: .seconds(3600))) {
                    switch try SlotRecord(serializedBytes: bytes) {
                    case .write(let write):
                        try liveWorker().applyCopied(SlotWriteMapping.storeWrite(slot: slot, write))
                        applied += 1
                        received += UInt64(bytes.count)
                        progress.withLock { $0[slot]?.bytesCopied = received }
                    case .batch(let batch):
                        try liveWorker().applyCopied(SlotWriteMapping.storeWrite(slot: slot, batch))
                        applied += 1
                        received += UInt64(bytes.count)
                        progress.withLock { $0[slot]?.bytesCopied = received }
                    case .totalBytes(let total):
                        progress.withLock { $0[slot]?.bytesTotal = total }
                    case .endSequence(let end):
                        // Every sequence up to `end` travelled; holding less means a record was lost.
                        let held = try liveWorker().heldSequence(of: slot)
                        guard held >= end else {
                            throw StrataError(.dataLoss, "slot \(slot): the stream ended at sequence \(end), but this worker holds it only up to \(held)")
                        }
                    }
                    let wait = bucket.take(bytes.count, now: clock.now - epoch)
                    if wait > .zero { try await Task.sleep(for: wait) }
                }
                logger.info("copied slot", metadata: ["slot": "\(slot)", "from": "\(directive.sourceAddress)", "writes": "\(applied)",
                                                      "bytes": "\(received)"])
                // Report at once instead of at the next tick: the coordinator completes the copy
                // and plans the next ones on this report, so recovery is not paced by heartbeats.
                await beat()
            } catch {
                logger.warning("slot copy failed; the coordinator will ask again", metadata: ["slot": "\(slot)", "error": "\(error)"])
            }
        }
    }

    /// Forgets a slot whose DROP has stood for the grace period (the core decided which).
    private func carryOut(_ drop: DropSchedule.Due) {
        do {
            let outcome = try liveWorker().dropSlot(drop.slot, ifAtMost: drop.ifAtMost)
            core.withLock { $0.dropCarriedOut(drop.slot) }
            switch outcome {
            case .forgotten(let last):
                logger.info("dropped slot", metadata: ["slot": "\(drop.slot)", "held up to": "\(last)"])
            case .kept(let last):
                // A write the coordinator had not heard of: the report voids the drop.
                logger.info("kept slot: it holds more than the drop allowed", metadata: [
                    "slot": "\(drop.slot)", "held up to": "\(last)", "drop allowed up to": "\(drop.ifAtMost)"])
            case .notHeld:
                break
            }
        } catch {
            logger.warning("slot drop failed; the coordinator will ask again", metadata: ["slot": "\(drop.slot)", "error": "\(error)"])
        }
    }

    /// The worker, or UNAVAILABLE once it is torn down.
    private func liveWorker() throws(StrataError) -> any MembershipWorker {
        guard let worker else { throw StrataError(.unavailable, "the worker is shutting down") }
        return worker
    }
}
