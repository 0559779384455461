import StrataCore

/// The index, recency order and byte/token accounting of one memory tier, independent of where
/// the tier keeps its bytes (the `Payload` says where: a device block, a shared-memory slot, a
/// Swift array).
///
/// Entries form one doubly linked list threaded through an array, oldest at one end and newest
/// at the other. Under LRU a hit moves the entry to the newest end; under FIFO it does not, so
/// the oldest entry is always the next victim either way. Linking by array index instead of by
/// object keeps a lookup free of allocations and reference counting.
struct TierDirectory<Payload> {
    struct Entry {
        var key: ContentHash
        var payload: Payload
        var bytes: Int
        var tokens: Int
        fileprivate var older: Int
        fileprivate var newer: Int
    }

    let settings: TierSettings
    private var slots: [Entry?] = []
    private var freeSlots: [Int] = []
    private var indexByKey: [ContentHash: Int] = [:]
    private var oldestIndex = -1
    private var newestIndex = -1
    private(set) var bytesUsed = 0
    private(set) var tokensUsed = 0

    init(settings: TierSettings) {
        self.settings = settings
    }

    var count: Int { indexByKey.count }

    func index(of key: ContentHash) -> Int? { indexByKey[key] }

    func entry(at index: Int) -> Entry { slots[index]! }

    /// The next victim: least recently used (LRU) or first inserted (FIFO).
    var oldest: Int? { oldestIndex >= 0 ? oldestIndex : nil }

    /// Whether an entry of this size could ever fit, even in an empty tier.
    func canEverHold(bytes: Int, tokens: Int) -> Bool {
        bytes <= settings.capacityBytes && tokens <= settings.capacityTokens
    }

    /// Whether an entry of this size fits next to what the tier holds now (neither capacity binds).
    func hasRoom(bytes: Int, tokens: Int) -> Bool {
        bytesUsed + bytes <= settings.capacityBytes && tokensUsed + tokens <= settings.capacityTokens
    }

    /// Records a hit: under LRU the entry becomes the newest; under FIFO nothing changes.
    mutating func touch(_ index: Int) {
        guard settings.eviction == .lru, index != newestIndex else { return }
        unlink(index)
        linkAsNewest(index)
    }

    /// Adds a new entry as the newest. The key must not be present.
    @discardableResult
    mutating func insert(key: ContentHash, payload: Payload, bytes: Int, tokens: Int) -> Int {
        precondition(indexByKey[key] == nil, "TierDirectory.insert: key already present")
        let entry = Entry(key: key, payload: payload, bytes: bytes, tokens: tokens, older: -1, newer: -1)
        let index: Int
        if let reused = freeSlots.popLast() {
            index = reused
            slots[index] = entry
        } else {
            index = slots.count
            slots.append(entry)
        }
        indexByKey[key] = index
        bytesUsed += bytes
        tokensUsed += tokens
        linkAsNewest(index)
        return index
    }

    /// Removes the entry and returns it.
    @discardableResult
    mutating func remove(at index: Int) -> Entry {
        let entry = slots[index]!
        unlink(index)
        slots[index] = nil
        freeSlots.append(index)
        indexByKey[entry.key] = nil
        bytesUsed -= entry.bytes
        tokensUsed -= entry.tokens
        return entry
    }

    /// Every entry index, oldest (next victim) first.
    func indicesOldestFirst() -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        var cursor = oldestIndex
        while cursor >= 0 {
            result.append(cursor)
            cursor = slots[cursor]!.newer
        }
        return result
    }

    /// Empties the directory and returns what it held, oldest first.
    mutating func removeAll() -> [Entry] {
        let all = indicesOldestFirst().map { slots[$0]! }
        slots.removeAll()
        freeSlots.removeAll()
        indexByKey.removeAll()
        oldestIndex = -1
        newestIndex = -1
        bytesUsed = 0
        tokensUsed = 0
        return all
    }

    private mutating func unlink(_ index: Int) {
        let older = slots[index]!.older
        let newer = slots[index]!.newer
        if older >= 0 { slots[older]!.newer = newer } else { oldestIndex = newer }
        if newer >= 0 { slots[newer]!.older = older } else { newestIndex = older }
        slots[index]!.older = -1
        slots[index]!.newer = -1
    }

    private mutating func linkAsNewest(_ index: Int) {
        slots[index]!.older = newestIndex
        slots[index]!.newer = -1
        if newestIndex >= 0 { slots[newestIndex]!.newer = index } else { oldestIndex = index }
        newestIndex = index
    }
}
