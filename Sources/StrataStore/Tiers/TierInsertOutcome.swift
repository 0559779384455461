/// The result of inserting into a tier: whether it was stored and what had to leave.
struct TierInsertOutcome {
    var stored: Bool
    /// Entries evicted to make room, oldest first, in this tier's encoding.
    var victims: [TierChunk]
}
