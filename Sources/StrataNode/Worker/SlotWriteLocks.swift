import Foundation

/// Serializes the writes of each slot (striped: slot mod 64) from the store's apply to the
/// search index's update, so the index sees a slot's writes in the order the store applied
/// them. Different stripes proceed together, so group commit still batches their fsyncs.
/// Recursive, so a caller can hold a slot across a check and the writes that depend on it
/// (ApplyWrites: "this replica holds the slot up to the required sequence", then apply).
final class SlotWriteLocks: Sendable {
    private let stripes: [NSRecursiveLock] = (0..<64).map { _ in NSRecursiveLock() }

    func withLock<T, E: Error>(slot: UInt32, _ body: () throws(E) -> T) throws(E) -> T {
        let lock = stripes[Int(slot % UInt32(stripes.count))]
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
