import StrataCore

/// Maps a document to its slot: `slot = H(namespace, documentID) mod slotCount`.
///
/// `H` is `StableHasher` over `UTF-8(namespace) ‖ 0xFF ‖ UTF-8(documentID)`, so the result is
/// the same on every machine and in every release. A whole document lives in one slot, which
/// keeps its neighbouring chunks together.
public struct SlotHasher: Sendable, Equatable {
    /// The most slots a cluster may have (the wire carries slots as uint32; this keeps maps small).
    public static let maximumSlotCount = 1 << 16

    /// S, fixed when the cluster is created.
    public let slotCount: Int

    /// Refuses a slot count outside `1...maximumSlotCount`, naming the field.
    public init(slotCount: Int) throws {
        guard slotCount >= 1, slotCount <= SlotHasher.maximumSlotCount else {
            throw StrataError.invalidArgument(
                "slots: \(slotCount) is out of range; a cluster has 1...\(SlotHasher.maximumSlotCount) slots")
        }
        self.slotCount = slotCount
    }

    /// The 64-bit stable hash of a (namespace, document id) pair.
    public static func hash(namespace: String, documentID: String) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(utf8: namespace)
        hasher.combineSeparator()
        hasher.combine(utf8: documentID)
        return hasher.finalize()
    }

    /// The slot of a document, in `0..<slotCount`.
    public func slot(namespace: String, documentID: String) -> Int {
        Int(SlotHasher.hash(namespace: namespace, documentID: documentID) % UInt64(slotCount))
    }
}
