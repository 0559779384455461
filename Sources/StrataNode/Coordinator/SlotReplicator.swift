import StrataCluster
import StrataCore
import StrataRPC
import StrataWire

/// Sends one slot's writes to its replicas and decides whether they are acknowledged: W of R
/// serving replicas must answer that the writes are durable (`WriteQuorum.isAcknowledged`, the
/// rule the cluster simulation checks too). Copies in flight get the writes
/// too (so a finished copy is current) but do not count toward W.
struct SlotReplicator: Sendable {
    let membership: CoordinatorMembership
    let channels: WorkerChannels
    let timeout: Duration
    let locks = SlotLocks()

    /// Numbers `count` writes for `slot` (`build` makes them from their sequence numbers) and
    /// replicates them, one slot writer at a time so every replica sees them in order.
    /// Returns how many chunks the replicas already stored (deduplicated by content).
    @discardableResult
    func replicate(slot: Int, count: Int, _ build: @escaping @Sendable (ClosedRange<UInt64>) -> [StrataWire.SlotWrite]) async throws -> UInt64 {
        try await locks.withLock(slot) {
            let numbers = try await membership.reserveSequences(slot: slot, count: count)
            return try await replicate(slot: slot, build(numbers))
        }
    }

    /// Applies `writes` (already numbered) to `slot` on its replicas; throws when fewer than W
    /// serving replicas made them durable -- then nothing is acknowledged (see `WriteRefusal`
    /// for the code: UNAVAILABLE, or RESOURCE_EXHAUSTED / INVALID_ARGUMENT from the replicas).
    /// A replica that missed an acknowledged write refuses (it catches up by copy first).
    private func replicate(slot: Int, _ writes: [StrataWire.SlotWrite]) async throws -> UInt64 {
        let (targets, replicas, replicationFactor, highWater) = membership.writeTargets(slot: slot)
        let required = membership.quorum.required(servingReplicas: replicas.count, targetReplicaCount: replicationFactor)
        guard !replicas.isEmpty else {
            throw StrataError(.unavailable, "slot \(slot) has no live replica (no workers registered yet?)")
        }
        let request = ApplyWritesRequest(slot: UInt32(slot), writes: writes, requiredSequence: highWater,
                                         coordinatorEpoch: membership.controlPlane.epoch).serializedBytes()
        var acks: [WorkerID] = []
        var failures: [WriteRefusal.Failure] = []
        var duplicateChunks: UInt64 = 0
        await withTaskGroup(of: (WorkerID, Result<ApplyWritesResponse, any Error>).self) { group in
            for target in targets {
                group.addTask {
                    do {
                        let bytes = try await channels.channel(target.address).unary(
                            MethodPath.workerApplyWrites, request, options: CallOptions(timeout: timeout))
                        return (target.id, .success(try ApplyWritesResponse(serializedBytes: bytes)))
                    } catch {
                        return (target.id, .failure(error))
                    }
                }
            }
            for await (worker, result) in group {
                switch result {
                case .success(let response):
                    acks.append(worker)
                    duplicateChunks = max(duplicateChunks, UInt64(response.duplicateChunks))
                case .failure(let error):
                    failures.append(WriteRefusal.Failure(worker: worker, error: StrataError(relaying: error)))
                }
            }
        }
        if !acks.isEmpty, let last = writes.last?.sequence {
            try membership.recordWrite(slot: slot, sequence: last, acks: acks)
        }
        guard membership.quorum.isAcknowledged(acks: acks, replicas: replicas, replicationFactor: replicationFactor) else {
            throw WriteRefusal.error(slot: slot, acknowledged: Set(acks).intersection(replicas).count, required: required, failures: failures)
        }
        // The acknowledgement's promise: the slot's mark is durable in the control plane
        // before the client hears of the write, so no later leader or restart can take a
        // replica that lacks it for up to date (or lose it with the coordinator's memory).
        if let last = writes.last?.sequence { try await membership.controlPlane.recordMarks([slot: last]) }
        return duplicateChunks
    }
}
