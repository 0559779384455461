import StrataCore

/// Events from the membership service. Each validates its input first and changes nothing when
/// it throws.
extension ClusterMap {
    /// Adds or refreshes a worker and assigns it a new incarnation (one more than the last one
    /// it had here), which its heartbeats must then carry. A reused id with another address is
    /// refused unless the old worker is confirmed dead. The worker's positions replace what the
    /// map remembered of an earlier process; slots outside 0..<S and absurd positions are left
    /// out and returned (never a reason to refuse the worker).
    ///
    /// Incarnations are assigned here rather than taken from the worker: a number the caller
    /// chooses (2^64-1 from a stray call) would make every later one look older and lock the
    /// real worker out for good.
    @discardableResult
    public mutating func register(_ registration: WorkerRegistration) throws -> (incarnation: UInt64, ignored: IgnoredSlots) {
        guard !registration.id.isEmpty else {
            throw StrataError.invalidArgument("node_id: must not be empty")
        }
        guard !registration.address.isEmpty else {
            throw StrataError.invalidArgument("address: worker \(registration.id) sent an empty address")
        }
        guard registration.weight.isFinite, MembershipLimits.weights.contains(registration.weight) else {
            throw StrataError.invalidArgument(
                "capacity.weight: \(registration.weight) is out of range \(MembershipLimits.weights.lowerBound)...\(MembershipLimits.weights.upperBound)")
        }
        if let existing = workers[registration.id], existing.address != registration.address, existing.state != .dead {
            throw StrataError.failedPrecondition(
                "node_id: \(registration.id) is registered at \(existing.address); another address "
                    + "(\(registration.address)) is refused until the old worker is confirmed dead")
        }
        let isNew = workers[registration.id] == nil
        var record = workers[registration.id] ?? WorkerRecord(id: registration.id, address: registration.address)
        let before = record
        record.address = registration.address
        record.zone = registration.zone
        record.weight = registration.weight
        record.incarnation += 1  // never near overflow: loading a map repairs absurd ones
        record.state = .live
        let ignored = recordReport(registration.positions, digests: registration.digests, into: &record, keepAcknowledged: false)
        workers[registration.id] = record
        if isNew || record.address != before.address || record.zone != before.zone || record.weight != before.weight
            || record.state != before.state || record.incarnation != before.incarnation
        {
            version += 1
        }
        afterReport(from: record)
        return (record.incarnation, ignored)
    }

    /// True when a heartbeat from `worker` with `incarnation` is from its current process: the
    /// incarnation this map assigned at its last registration. Any other heartbeat changes
    /// nothing (the shell answers "reregister").
    public func acceptsHeartbeat(from worker: WorkerID, incarnation: UInt64) -> Bool {
        workers[worker]?.incarnation == incarnation
    }

    /// Records the positions a worker reports (every slot it holds) with their digests. Raises
    /// each slot's high-water sequence and clears DROP entries the worker has carried out.
    /// Throws `notFound` for an unknown worker and `failedPrecondition` for another incarnation
    /// than the current one (the shell answers "reregister" to both). Slots outside 0..<S and
    /// absurd positions are left out and returned.
    ///
    /// Within one incarnation, a serving replica's position never goes down: a report taken
    /// just before a write landed can arrive after the write's acknowledgement was recorded
    /// (`recordWrite`), and must not make the replica look behind. A position that really goes
    /// down belongs to a slot the worker dropped, which it stops reporting first (and it is no
    /// serving replica of it by then).
    @discardableResult
    public mutating func applyReport(
        from worker: WorkerID, incarnation: UInt64, positions: [Int: UInt64], digests: [Int: UInt64] = [:]
    ) throws -> IgnoredSlots {
        guard var record = workers[worker] else {
            throw StrataError.notFound("node_id: worker \(worker) is not registered")
        }
        guard incarnation == record.incarnation else {
            throw StrataError.failedPrecondition(
                "incarnation: \(incarnation) is not worker \(worker)'s current incarnation \(record.incarnation); register again")
        }
        let ignored = recordReport(positions, digests: digests, into: &record, keepAcknowledged: true)
        workers[worker] = record
        afterReport(from: record)
        return ignored
    }

    /// Sets a worker's positions and proofs from a report (see `applyReport`).
    private func recordReport(
        _ positions: [Int: UInt64], digests: [Int: UInt64], into record: inout WorkerRecord, keepAcknowledged: Bool
    ) -> IgnoredSlots {
        var ignored = IgnoredSlots()
        var accepted: [Int: UInt64] = [:]
        var proofs: [Int: SlotProof] = [:]
        for (slot, sequence) in positions {
            guard slot >= 0, slot < slotCount else {
                ignored.outOfRange.append(slot)
                continue
            }
            guard sequence <= MembershipLimits.maximumSequence else {
                // Not "no longer held" either: what the map knew of the slot stands.
                ignored.absurdPositions.append(slot)
                if let known = record.positions[slot] { accepted[slot] = known }
                continue
            }
            accepted[slot] = sequence
            if let digest = digests[slot] { proofs[slot] = SlotProof(sequence: sequence, digest: digest) }
            if keepAcknowledged, slots[slot].replicas.contains(record.id), let known = record.positions[slot], known > sequence {
                accepted[slot] = known
            }
        }
        record.positions = accepted
        record.proofs = proofs
        record.unproven.formIntersection(accepted.keys)
        ignored.outOfRange.sort()
        ignored.absurdPositions.sort()
        return ignored
    }

    /// What a new report changes beyond the worker's own record: the slots' high-water marks,
    /// and the drops it has carried out (or voided).
    private mutating func afterReport(from record: WorkerRecord) {
        compareProofs(of: record.id)
        if record.isReachable {
            for (slot, sequence) in record.positions where sequence > slots[slot].sequence {
                slots[slot].sequence = sequence
            }
        }
        // A drop is done when the slot is gone from the report, and void when the worker holds
        // more than the drop allowed (it had data the coordinator did not know about).
        for slot in slots.indices {
            let before = slots[slot].dropping.count
            slots[slot].dropping.removeAll { drop in
                drop.worker == record.id && (record.positions[slot].map { $0 > drop.ifAtMost } ?? true)
            }
            if slots[slot].dropping.count != before { version += 1 }
        }
    }

    /// Compares `worker`'s new proofs with every other reachable worker's at the same
    /// sequence: equal digests prove both copies (see `WorkerRecord.unproven`); different
    /// digests at one sequence mean the copies diverged, and neither counts as proven (no old
    /// replica is dropped on the strength of either until they agree again).
    private mutating func compareProofs(of worker: WorkerID) {
        guard let record = workers[worker], record.isReachable else { return }
        for other in workers.keys.sorted() where other != worker && isReachable(other) {
            for (slot, proof) in record.proofs {
                guard let theirs = workers[other]?.proofs[slot], theirs.sequence == proof.sequence else { continue }
                if theirs.digest == proof.digest {
                    workers[worker]!.unproven.remove(slot)
                    workers[other]!.unproven.remove(slot)
                } else {
                    workers[worker]!.unproven.insert(slot)
                    workers[other]!.unproven.insert(slot)
                }
            }
        }
    }

    /// True when `worker`'s last proof of `slot` equals another reachable worker's at the
    /// same sequence.
    func proofMatchesAnother(_ worker: WorkerID, slot: Int) -> Bool {
        guard let proof = workers[worker]?.proofs[slot] else { return false }
        return workers.contains { $0.key != worker && $0.value.isReachable && $0.value.proofs[slot] == proof }
    }

    /// Records that a copy into `worker` completed: until its digest matches another
    /// worker's, the slot is held on its word alone.
    mutating func noteCopied(_ worker: WorkerID, slot: Int) {
        guard workers[worker] != nil, !proofMatchesAnother(worker, slot: slot) else { return }
        workers[worker]!.unproven.insert(slot)
    }

    /// True unless `worker` holds `slot` on its word alone (see `WorkerRecord.unproven`).
    public func hasProven(_ worker: WorkerID, slot: Int) -> Bool {
        !(workers[worker]?.unproven.contains(slot) ?? true)
    }

    /// Applies liveness changes from `FailureDetector`. Unknown workers are ignored (they must
    /// register first).
    public mutating func apply(_ transitions: [FailureDetector.Transition]) {
        for transition in transitions {
            guard var record = workers[transition.worker] else { continue }
            guard transition.incarnation >= record.incarnation else { continue }
            let changed = record.state != transition.to
            record.state = transition.to
            record.incarnation = transition.incarnation
            workers[transition.worker] = record
            if changed {
                version += 1
                if transition.to != .dead {
                    // Coming back makes its remembered positions count again.
                    for (slot, sequence) in record.positions where sequence > slots[slot].sequence {
                        slots[slot].sequence = sequence
                    }
                }
            }
        }
    }

    /// Asks a worker to leave: it gets no new slots and receives DROP for each slot once that
    /// slot is fully replicated elsewhere.
    public mutating func drain(_ worker: WorkerID) throws {
        guard var record = workers[worker] else {
            throw StrataError.notFound("node_id: worker \(worker) is not registered")
        }
        guard !record.draining else { return }
        record.draining = true
        workers[worker] = record
        version += 1
    }

    /// True when a draining worker holds and serves nothing, so removing it loses nothing.
    public func isDrained(_ worker: WorkerID) -> Bool {
        guard let record = workers[worker], record.draining else { return false }
        return record.positions.isEmpty && !slots.contains { $0.replicas.contains(worker) }
    }

    /// Forgets a worker. Allowed when it is drained, or dead (its remembered data is then
    /// given up for good); a reachable worker that still holds data is refused.
    public mutating func removeWorker(_ worker: WorkerID) throws {
        guard let record = workers[worker] else {
            throw StrataError.notFound("node_id: worker \(worker) is not registered")
        }
        let holdsNothing = record.positions.isEmpty && !slots.contains { $0.replicas.contains(worker) }
        guard record.state == .dead || holdsNothing else {
            throw StrataError.failedPrecondition(
                "node_id: worker \(worker) still holds \(record.positions.count) slots; drain it first")
        }
        workers[worker] = nil
        for slot in slots.indices {
            slots[slot].replicas.removeAll { $0 == worker }
            slots[slot].dropping.removeAll { $0.worker == worker }
            slots[slot].transfers.removeAll { $0.target == worker || $0.source == worker }
        }
        version += 1
    }

    /// Records a write to `slot` at `sequence` made durable by `acks` (the workers that confirmed
    /// it), whether or not it reached its quorum: their positions move to `sequence` at once, so a
    /// replica that missed the write is known to be behind without waiting for heartbeats, and the
    /// slot's high-water sequence rises because the data now exists somewhere (the replicas that
    /// missed it catch up from those that have it; the shell never reuses a sequence number).
    public mutating func recordWrite(slot: Int, sequence: UInt64, acks: some Sequence<WorkerID>) throws {
        try checkSlot(slot, field: "slot")
        guard sequence <= MembershipLimits.maximumSequence else {
            throw StrataError.invalidArgument("sequence: \(sequence) is above the limit \(MembershipLimits.maximumSequence)")
        }
        var durable = false
        for worker in Set(acks) {
            guard var record = workers[worker] else { continue }
            durable = durable || record.isReachable
            if record.positions[slot].map({ $0 < sequence }) ?? true {
                record.positions[slot] = sequence
                workers[worker] = record
            }
        }
        if durable && sequence > slots[slot].sequence { slots[slot].sequence = sequence }
    }

    /// Ends the copy into `target` (it finished or failed); the next plan re-issues it if the
    /// target is still behind. Completion is also detected from reports, so calling this on
    /// success is optional.
    public mutating func finishTransfer(slot: Int, target: WorkerID) throws {
        try checkSlot(slot, field: "slot")
        let before = slots[slot].transfers.count
        slots[slot].transfers.removeAll { $0.target == target }
        if slots[slot].transfers.count != before { version += 1 }
    }
}
