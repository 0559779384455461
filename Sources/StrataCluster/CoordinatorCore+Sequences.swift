import StrataCore

extension CoordinatorCore {
    /// How far a ceiling is raised past the numbers that needed it (one commit per this many).
    static let ceilingStep: UInt64 = 4096

    /// Hands out `count` fresh sequence numbers for `slot`, never reused, even across a crash
    /// of the coordinator: numbers are handed out only below a ceiling that is durable first
    /// (the decisions commit a raised ceiling before the numbers), and a restarted coordinator
    /// starts above the old ceiling. Gaps are harmless: a worker only requires each write's
    /// number to be above its last. A slot a restart has not confirmed is not writable yet.
    mutating func reserveSequences(slot: Int, count: Int) throws -> [CoordinatorDecision] {
        _ = try leadingEpoch()
        try map.checkSlot(slot, field: "slot")
        guard count >= 1 else { throw StrataError.invalidArgument("count: \(count) must be >= 1") }
        guard !restart.contains(slot) else {
            throw StrataError(.unavailable, "slot \(slot) is not writable yet: the coordinator restarted and waits for the slot's replicas to report their positions; retry")
        }
        let ceiling = sequenceCeilings[slot] ?? 0
        guard max(ceiling, map.slots[slot].sequence) < MembershipLimits.maximumSequence - UInt64(count) - 2 * Self.ceilingStep else {
            throw StrataError(.internal, "slot \(slot) has run out of sequence numbers (above \(MembershipLimits.maximumSequence))")
        }
        let first = max(nextSequence[slot] ?? (ceiling + 1), map.slots[slot].sequence + 1)
        let last = first + UInt64(count) - 1
        var decisions: [CoordinatorDecision] = []
        if last > ceiling {
            let previous = sequenceCeilings[slot]
            sequenceCeilings[slot] = last + Self.ceilingStep
            ceilingsGeneration += 1
            decisions.append(.commitSequenceCeilings(sequenceCeilings, generation: ceilingsGeneration, raised: slot, previous: previous))
        }
        nextSequence[slot] = last + 1
        decisions.append(.sequencesReserved(slot: slot, first...last))
        return decisions
    }
}
