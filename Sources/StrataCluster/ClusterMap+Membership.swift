import StrataCore

/// Events from the membership service. Each validates its input first and changes nothing when
/// it throws.
extension ClusterMap {
    /// Adds or refreshes a worker. A reused id with another address is refused unless the old
    /// worker is confirmed dead; a registration from an older incarnation is refused as stale.
    public mutating func register(_ registration: WorkerRegistration) throws {
        guard !registration.id.isEmpty else {
            throw StrataError.invalidArgument("node_id: must not be empty")
        }
        guard !registration.address.isEmpty else {
            throw StrataError.invalidArgument("address: worker \(registration.id) sent an empty address")
        }
        guard registration.weight.isFinite, registration.weight > 0 else {
            throw StrataError.invalidArgument("capacity.weight: \(registration.weight) must be a finite number > 0")
        }
        for slot in registration.positions.keys {
            try checkSlot(slot, field: "slots")
        }
        if let existing = workers[registration.id] {
            if existing.address != registration.address && existing.state != .dead {
                throw StrataError.failedPrecondition(
                    "node_id: \(registration.id) is registered at \(existing.address); another address "
                        + "(\(registration.address)) is refused until the old worker is confirmed dead")
            }
            if registration.incarnation < existing.incarnation {
                throw StrataError.failedPrecondition(
                    "incarnation: \(registration.incarnation) is older than \(existing.incarnation) for \(registration.id)")
            }
        }
        let isNew = workers[registration.id] == nil
        var record = workers[registration.id] ?? WorkerRecord(id: registration.id, address: registration.address)
        let before = record
        record.address = registration.address
        record.zone = registration.zone
        record.weight = registration.weight
        record.incarnation = registration.incarnation
        record.state = .live
        workers[registration.id] = record
        if isNew || record != before { version += 1 }
        try applyReport(from: registration.id, incarnation: registration.incarnation, positions: registration.positions)
    }

    /// Records the positions a worker reports (every slot it holds). Raises each slot's
    /// high-water sequence and clears DROP entries the worker has carried out.
    /// Throws `notFound` for an unknown worker (the shell answers "reregister") and ignores
    /// reports from an older incarnation.
    public mutating func applyReport(from worker: WorkerID, incarnation: UInt64, positions: [Int: UInt64]) throws {
        guard var record = workers[worker] else {
            throw StrataError.notFound("node_id: worker \(worker) is not registered")
        }
        for slot in positions.keys {
            try checkSlot(slot, field: "slots")
        }
        guard incarnation >= record.incarnation else { return }
        record.incarnation = incarnation
        record.positions = positions
        workers[worker] = record
        if record.isReachable {
            for (slot, sequence) in positions where sequence > slots[slot].sequence {
                slots[slot].sequence = sequence
            }
        }
        // A drop is done when the slot is gone from the report, and void when the worker holds
        // more than the drop allowed (it had data the coordinator did not know about).
        for slot in slots.indices {
            let before = slots[slot].dropping.count
            slots[slot].dropping.removeAll { drop in
                drop.worker == worker && (positions[slot].map { $0 > drop.ifAtMost } ?? true)
            }
            if slots[slot].dropping.count != before { version += 1 }
        }
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
