/// What the shell sends to workers and where it routes writes.
extension ClusterMap {
    /// The complete directive set for `worker`, by slot: SERVE for each slot it serves, FETCH for
    /// each copy it should run, DROP for each slot it must delete. A lagging serving replica gets
    /// both SERVE and FETCH (it keeps taking writes while it catches up by delta).
    public func directives(for worker: WorkerID, rateLimitBytesPerSecond: UInt64 = 0) -> [SlotDirective] {
        var result: [SlotDirective] = []
        for (index, slot) in slots.enumerated() {
            if slot.replicas.contains(worker) { result.append(.serve(slot: index)) }
            for transfer in slot.transfers where transfer.target == worker {
                result.append(
                    .fetch(
                        slot: index, source: transfer.source, sourceAddress: workers[transfer.source]?.address ?? "",
                        fromSequence: transfer.fromSequence, rateLimitBytesPerSecond: rateLimitBytesPerSecond))
            }
            for drop in slot.dropping where drop.worker == worker {
                result.append(.drop(slot: index, ifAtMost: drop.ifAtMost))
            }
        }
        return result
    }

    /// Where a write to `slot` goes: the serving replicas, then the targets of copies in flight
    /// (so that a finished copy is current). Only serving replicas count toward the quorum.
    public func writeTargets(slot: Int) -> [WorkerID] {
        let record = slots[slot]
        var targets = record.replicas
        for transfer in record.transfers where !targets.contains(transfer.target) {
            targets.append(transfer.target)
        }
        return targets
    }
}
