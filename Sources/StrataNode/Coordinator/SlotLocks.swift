/// One writer per slot at a time, in arrival order.
///
/// A slot's writes must reach each replica in sequence order: a worker acknowledges a write
/// whose sequence it has passed without applying it (that is what makes retries idempotent),
/// so if two ingest streams numbered writes 5 and 6 and 6 arrived first, 5 would be skipped
/// yet acknowledged. Numbering and sending under this lock keeps the order.
actor SlotLocks {
    private var busy: Set<Int> = []
    private var waiting: [Int: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ slot: Int) async {
        guard busy.contains(slot) else {
            busy.insert(slot)
            return
        }
        await withCheckedContinuation { waiting[slot, default: []].append($0) }
    }

    /// Hands the slot to the next waiter (it stays busy), or frees it.
    func release(_ slot: Int) {
        if var queue = waiting[slot], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[slot] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(slot)
        }
    }

    /// Runs `body` holding the slot's lock.
    func withLock<T: Sendable>(_ slot: Int, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(slot)
        do {
            let result = try await body()
            release(slot)
            return result
        } catch {
            release(slot)
            throw error
        }
    }
}
