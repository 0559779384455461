import Foundation

/// Serializes the writes of each slot (striped: slot mod 64) from the store's apply to the
/// search index's update, so the index sees a slot's writes in the order the store applied
/// them. Different stripes proceed together, so group commit still batches their fsyncs.
final class SlotWriteLocks: Sendable {
    private let stripes: [NSLock] = (0..<64).map { _ in NSLock() }

    func withLock<T, E: Error>(slot: UInt32, _ body: () throws(E) -> T) throws(E) -> T {
        let lock = stripes[Int(slot % UInt32(stripes.count))]
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
