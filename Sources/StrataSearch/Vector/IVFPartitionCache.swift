/// The memory tier of a tiered IVF index: lists held in RAM up to `budgetBytes`, least
/// recently used evicted first, a list promoted (made most recent) on every use.
///
/// Pure value: the index that owns it loads misses from disk and inserts them. A list larger
/// than the whole budget is served but not kept. Counts hits, misses and evictions for the
/// worker's status.
public struct IVFPartitionCache: Sendable {
    public let budgetBytes: Int
    private var entries: [Int: (list: IVFList, bytes: Int, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    public private(set) var residentBytes = 0
    public private(set) var hits: UInt64 = 0
    public private(set) var misses: UInt64 = 0
    public private(set) var evictions: UInt64 = 0

    public init(budgetBytes: Int) { self.budgetBytes = max(budgetBytes, 0) }

    public var residentLists: Int { entries.count }

    /// The cached list `number`, promoted; nil (a miss) when it is not in memory.
    mutating func lookup(_ number: Int) -> IVFList? {
        clock += 1
        guard let entry = entries[number] else {
            misses += 1
            return nil
        }
        hits += 1
        entries[number]?.lastUse = clock
        return entry.list
    }

    /// Whether list `number` is in memory, without counting or promoting.
    func contains(_ number: Int) -> Bool { entries[number] != nil }

    /// Holds `list` as the most recent, evicting the least recently used until it fits.
    mutating func insert(_ number: Int, _ list: IVFList) {
        remove(number)
        let bytes = list.byteCount
        guard bytes <= budgetBytes else { return }
        while residentBytes + bytes > budgetBytes, let victim = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            remove(victim)
            evictions += 1
        }
        clock += 1
        entries[number] = (list, bytes, clock)
        residentBytes += bytes
    }

    mutating func remove(_ number: Int) {
        if let old = entries.removeValue(forKey: number) { residentBytes -= old.bytes }
    }
}

extension IVFPartitionCache {
    /// The cached list `number` without counting a hit or a miss (a reader that lost a race
    /// with a writer takes the writer's list; its own read was already counted).
    mutating func lookupQuietly(_ number: Int) -> IVFList? {
        guard contains(number) else { return nil }
        let hitsBefore = hits
        let list = lookup(number)
        hits = hitsBefore
        return list
    }
}
