import StrataCore

/// A hash table keyed by `ContentHash`, for the persistent tier's chunk index and memtable.
///
/// Why not `Dictionary`: the keys are already XXH3-128 values, uniformly random, yet a
/// `Dictionary` feeds all 16 bytes through SipHash on every lookup; in ingest profiles that
/// hashing was most of the index's cost. Here the slot comes from the key's own bits with one
/// multiply, mixed with a per-process random seed so that crafted texts whose hashes share
/// low bits cannot pile up in one probe run (the reason `Dictionary` seeds its hasher).
///
/// Open addressing with linear probing over a power-of-two array of slots. Slot states live in
/// a byte array of their own (small, stays in cache while probing) and each slot's key and
/// value side by side, so a lookup touches one slot's memory, not three arrays. A removal leaves a
/// tombstone (a probe run must not break); tombstones are reused by inserts and dropped when
/// the table is rehashed, which happens when live entries plus tombstones pass 3/4 of the
/// slots. Value semantics (copy-on-write) like `Dictionary`, so a snapshot is a plain copy.
struct ContentHashTable<Value> {
    /// Slot states: a slot is empty, holds an entry, or is a tombstone.
    enum SlotState: UInt8 { case empty = 0, full = 1, tombstone = 2 }

    /// A key and its value (nil unless the slot is full).
    struct Slot {
        var key: ContentHash
        var value: Value?
    }

    private(set) var count = 0
    private var tombstones = 0
    private var slotStates: [SlotState]
    private var slots: [Slot]
    /// `slotStates.count - 1` (the slot count is a power of two).
    private var mask: Int

    /// Per-process seed of the slot function (see the type's comment), copied in so that a
    /// probe does not go through the lazy global's once-check.
    private let seed = ContentHashTableSeed.value

    init(minimumCapacity: Int = 0) {
        // Slots for `minimumCapacity` entries under the 3/4 load limit, at least 16.
        var slots = 16
        while slots * 3 / 4 < minimumCapacity { slots <<= 1 }
        slotStates = [SlotState](repeating: .empty, count: slots)
        self.slots = [Slot](repeating: Slot(key: ContentHash(high: 0, low: 0), value: nil), count: slots)
        mask = slots - 1
    }

    var isEmpty: Bool { count == 0 }
    /// Number of slots (entries plus tombstones plus free slots).
    var capacity: Int { slotStates.count }

    /// The first slot of `key`'s probe run: key bits mixed with the seed by one multiply
    /// (Fibonacci hashing), top bits taken.
    @inline(__always)
    private func home(_ key: ContentHash) -> Int {
        let mixed = (key.low ^ seed ^ (key.high &<< 1)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 32) & mask
    }

    /// The slot holding `key`, or nil.
    @inline(__always)
    private func find(_ key: ContentHash) -> Int? {
        var i = home(key)
        while true {
            switch slotStates[i] {
            case .empty: return nil
            case .full: if slots[i].key == key { return i }
            case .tombstone: break
            }
            i = (i + 1) & mask
        }
    }

    /// The slot holding `key`, or where it should be inserted (the first tombstone of its
    /// probe run, else the empty slot ending the run). The table must have a free slot.
    @inline(__always)
    private func findForInsert(_ key: ContentHash) -> (slot: Int, found: Bool) {
        var i = home(key)
        var firstTombstone = -1
        while true {
            switch slotStates[i] {
            case .empty: return (firstTombstone >= 0 ? firstTombstone : i, false)
            case .full: if slots[i].key == key { return (i, true) }
            case .tombstone: if firstTombstone < 0 { firstTombstone = i }
            }
            i = (i + 1) & mask
        }
    }

    func contains(_ key: ContentHash) -> Bool { find(key) != nil }

    /// The entry in slot `slot`, or nil when the slot holds none (iteration).
    func entry(at slot: Int) -> (key: ContentHash, value: Value)? {
        slotStates[slot] == .full ? (slots[slot].key, slots[slot].value!) : nil
    }

    /// Reading returns the value or nil; assigning nil removes the entry; `table[key]?.x = y`
    /// modifies the value in place (one probe).
    subscript(key: ContentHash) -> Value? {
        get { find(key).flatMap { slots[$0].value } }
        _modify {
            if let slot = find(key) {
                yield &slots[slot].value
                if slots[slot].value == nil { markRemoved(slot) }
            } else {
                var fresh: Value? = nil
                yield &fresh
                if let fresh { insertNew(key, fresh) }
            }
        }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Inserts or replaces; returns the value replaced, if any.
    @discardableResult
    mutating func updateValue(_ value: Value, forKey key: ContentHash) -> Value? {
        growIfFull()
        let (slot, found) = findForInsert(key)
        if found {
            let old = slots[slot].value
            slots[slot].value = value
            return old
        }
        occupy(slot, key, value)
        return nil
    }

    /// Updates the value of `key` in place when present, else inserts `insert()` (one probe
    /// either way). Returns whether it inserted.
    @discardableResult
    mutating func upsert(_ key: ContentHash, insert: () -> Value, update: (inout Value) -> Void) -> Bool {
        growIfFull()
        let (slot, found) = findForInsert(key)
        if found {
            update(&slots[slot].value!)
            return false
        }
        occupy(slot, key, insert())
        return true
    }

    /// Inserts `make()` under `key` unless the key is present (one probe either way).
    /// Returns whether it inserted.
    @discardableResult
    mutating func insertIfAbsent(_ key: ContentHash, _ make: () -> Value) -> Bool {
        growIfFull()
        let (slot, found) = findForInsert(key)
        if found { return false }
        occupy(slot, key, make())
        return true
    }

    /// Removes `key`'s entry; returns its value, if there was one.
    @discardableResult
    mutating func removeValue(forKey key: ContentHash) -> Value? {
        guard let slot = find(key) else { return nil }
        let old = slots[slot].value
        slots[slot].value = nil
        markRemoved(slot)
        return old
    }

    /// Removes every entry for which `shouldRemove` is true.
    mutating func removeAll(where shouldRemove: (ContentHash, Value) throws -> Bool) rethrows {
        for i in 0..<slotStates.count where slotStates[i] == .full {
            if try shouldRemove(slots[i].key, slots[i].value!) {
                slots[i].value = nil
                markRemoved(i)
            }
        }
    }

    /// Removes everything, keeping the slot array when `keepingCapacity`.
    mutating func removeAll(keepingCapacity: Bool = false) {
        guard keepingCapacity else { self = ContentHashTable(); return }
        for i in 0..<slotStates.count { slotStates[i] = .empty; slots[i].value = nil }
        count = 0
        tombstones = 0
    }

    /// Makes room for `minimumCapacity` entries without a rehash on the way.
    mutating func reserveCapacity(_ minimumCapacity: Int) {
        if (minimumCapacity + tombstones) > slotStates.count * 3 / 4 { rehash(minimumCapacity: minimumCapacity) }
    }

    // MARK: internals

    /// Inserts a key known to be absent.
    private mutating func insertNew(_ key: ContentHash, _ value: Value) {
        growIfFull()
        occupy(findForInsert(key).slot, key, value)
    }

    /// Rehashes when one more entry would pass the 3/4 load limit (tombstones included), so
    /// that a probe always meets an empty slot.
    @inline(__always)
    private mutating func growIfFull() {
        if count + tombstones + 1 > slotStates.count * 3 / 4 { rehash(minimumCapacity: count + 1) }
    }

    /// Puts an entry into a free slot (empty or tombstone) found by `findForInsert`.
    @inline(__always)
    private mutating func occupy(_ slot: Int, _ key: ContentHash, _ value: Value) {
        if slotStates[slot] == .tombstone { tombstones -= 1 }
        slotStates[slot] = .full
        slots[slot].key = key
        slots[slot].value = value
        count += 1
    }

    private mutating func markRemoved(_ slot: Int) {
        // A slot followed by an empty one ends no probe run but its own: it can be emptied
        // instead of tombstoned (keeps runs short under insert/delete churn).
        if slotStates[(slot + 1) & mask] == .empty {
            slotStates[slot] = .empty
        } else {
            slotStates[slot] = .tombstone
            tombstones += 1
        }
        count -= 1
    }

    /// Rebuilds the slot array for `minimumCapacity` live entries (at least double the live
    /// count, so that alternating inserts and removes do not rehash again soon); drops
    /// tombstones.
    private mutating func rehash(minimumCapacity: Int) {
        var fresh = ContentHashTable(minimumCapacity: Swift.max(minimumCapacity, count * 2))
        for i in 0..<slotStates.count where slotStates[i] == .full {
            // Moved out, not copied: no retain/release per entry.
            fresh.insertNewWithoutGrowth(slots[i].key, slots[i].value.take()!)
        }
        self = fresh
    }

    private mutating func insertNewWithoutGrowth(_ key: ContentHash, _ value: Value) {
        let (slot, _) = findForInsert(key)
        slotStates[slot] = .full
        slots[slot].key = key
        slots[slot].value = value
        count += 1
    }
}

extension ContentHashTable: Sendable where Value: Sendable {}
extension ContentHashTable.Slot: Sendable where Value: Sendable {}

/// The seed of `ContentHashTable`'s slot function, drawn once per process.
enum ContentHashTableSeed {
    static let value = UInt64.random(in: 0...UInt64.max)
}
