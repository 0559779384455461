import StrataCore

extension ClusterMap {
    /// Raises slots' high-water sequences to `marks` (the acknowledged marks a control plane
    /// keeps durable; the map's own lag them between membership changes). Marks of slots
    /// outside the map are ignored; nothing goes down. Bumps the version when anything rose.
    public mutating func raiseHighWaterMarks(_ marks: [Int: UInt64]) {
        var raised = false
        for (slot, mark) in marks where slots.indices.contains(slot) && mark > slots[slot].sequence && mark <= MembershipLimits.maximumSequence {
            slots[slot].sequence = mark
            raised = true
        }
        if raised { version += 1 }
    }

    /// Bumps the version after `recordWrite`s moved positions, so that the map is written
    /// again (a follower coordinator plans queries on the written map).
    public mutating func notePositionsMoved() {
        version += 1
    }
}
