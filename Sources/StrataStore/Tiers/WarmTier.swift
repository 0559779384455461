#if canImport(Glibc)
import Glibc
#endif
import StrataCore

/// The warm tier: chunks in a POSIX shared-memory object, slab-allocated, vectors at the tier's
/// precision (INT8 or FP16), evicted by policy (LRU by default). It outlives the worker process:
/// the next start reattaches the object and reuses every entry that still validates (see
/// `WarmTier+Recovery.swift` and `WarmRegionLayout` for the format).
///
/// The shared memory holds the entries themselves; the index and recency order live in process
/// memory and are rebuilt from the entries' access stamps on reattach. Memory follows data: a
/// page is reserved when it is first given to a size class and given back when its last entry
/// leaves. A page that cannot be reserved (the tmpfs is full) is not used: the entry bypasses
/// this tier (the hierarchy places it one tier down) and `reservationFailures` counts it.
final class WarmTier: MemoryTier {
    struct Payload {
        var address: SlabAllocator.Address
        var textLength: Int
        /// -1 when the chunk has no vector.
        var dimension: Int
    }

    let name = TierName.warm
    var counters = TierCounters()
    let epoch: UInt64
    let layout: WarmRegionLayout
    let recovery: WarmRecoveryReport
    private let region: SharedMemoryRegion
    private var allocator: SlabAllocator
    /// Told about failed reservations (the 1st, 2nd, 4th, 8th, ...), so a log is not flooded.
    private let reservationFailed: (@Sendable (_ failures: UInt64, _ error: StrataError) -> Void)?
    private var directory: TierDirectory<Payload>
    /// The last access stamp handed out; stamps only grow, across restarts too.
    private var clock: UInt64

    /// Attaches (or creates) the object `segmentName`, records `owner` in it and keeps what
    /// validates against `epoch` and `isValidKey`.
    init(
        settings: TierSettings, segmentName: String, epoch: UInt64, owner: WarmTierOwner = .unknown,
        reserver: SharedMemoryReserver = .system,
        reservationFailed: (@Sendable (_ failures: UInt64, _ error: StrataError) -> Void)? = nil,
        isValidKey: (ContentHash) -> Bool
    ) throws(StrataError) {
        let layout = WarmRegionLayout(settings: settings)
        let region = try SharedMemoryRegion(
            name: segmentName, size: layout.totalSize, reservedPrefix: layout.pagesOffset, reserver: reserver)
        let restored = try WarmRecovery.attach(
            region: region, layout: layout, settings: settings, epoch: epoch, owner: owner, isValidKey: isValidKey)
        self.reservationFailed = reservationFailed
        self.epoch = epoch
        self.layout = layout
        self.region = region
        self.allocator = restored.allocator
        self.directory = restored.directory
        self.clock = restored.clock
        self.recovery = restored.report
    }

    var settings: TierSettings { directory.settings }
    var isOpen: Bool { region.base != nil }

    func lookup(_ key: ContentHash, refresh: Bool) -> CachedChunk? {
        guard let index = find(key, refresh: refresh) else { return nil }
        let entry = directory.entry(at: index)
        let textStart = UnsafeRawPointer(slotPointer(entry.payload.address)) + WarmRegionLayout.Slot.headerSize
        let text = String(decoding: UnsafeRawBufferPointer(start: textStart, count: entry.payload.textLength), as: UTF8.self)
        let vector = entry.payload.dimension >= 0
            ? TierVectorCodec.decode(
                textStart + entry.payload.textLength, dimension: entry.payload.dimension, precision: settings.precision)
            : nil
        return CachedChunk(key: key, text: text, tokenCount: entry.tokens, vector: vector)
    }

    func peek(_ key: ContentHash, refresh: Bool) -> TierChunk? {
        find(key, refresh: refresh).map { read(directory.entry(at: $0)) }
    }

    func canEverHold(_ chunk: TierChunk) -> Bool {
        directory.canEverHold(bytes: chunk.entryBytes(at: settings.precision), tokens: chunk.tokenCount)
            && allocator.classIndex(for: slotBytes(of: chunk)) != nil
            && chunk.tokenCount <= Int(UInt32.max) && (chunk.vector?.dimension ?? 0) <= Int(UInt32.max)
    }

    func insert(_ chunk: TierChunk) -> TierInsertOutcome {
        guard isOpen else { return TierInsertOutcome(stored: false, victims: []) }
        // The hierarchy keeps tiers exclusive, so the key is never here; replacing keeps the
        // directory consistent even if that ever changed.
        remove(chunk.key)
        guard canEverHold(chunk) else { return TierInsertOutcome(stored: false, victims: []) }
        let bytes = chunk.entryBytes(at: settings.precision)
        var victims: [TierChunk] = []
        while !directory.hasRoom(bytes: bytes, tokens: chunk.tokenCount), let oldest = directory.oldest {
            victims.append(evict(oldest))
        }
        // The byte capacity counts logical sizes; the slab can still lack a slot of the right
        // class (rare, thanks to the slack pages). Evicting oldest entries frees slots and, once
        // a page empties, whole pages, so this ends.
        var allocation = allocator.allocate(byteCount: slotBytes(of: chunk))
        while allocation == nil, let oldest = directory.oldest {
            victims.append(evict(oldest))
            allocation = allocator.allocate(byteCount: slotBytes(of: chunk))
        }
        guard let (address, assignedPage) = allocation else { return TierInsertOutcome(stored: false, victims: victims) }
        if assignedPage {
            let result = region.reserve(offset: layout.pageOffset(address.page), length: layout.pageSize)
            guard result == 0 else {
                allocator.free(address)
                noteReservationFailure(errno: result)
                return TierInsertOutcome(stored: false, victims: victims)
            }
            preparePage(address.page, classIndex: address.classIndex)
        }
        clock += 1
        WarmEntryCodec.write(chunk, precision: settings.precision, stamp: clock, epoch: epoch, at: slotPointer(address))
        let payload = Payload(address: address, textLength: chunk.textBytes, dimension: chunk.vector?.dimension ?? -1)
        directory.insert(key: chunk.key, payload: payload, bytes: bytes, tokens: chunk.tokenCount)
        return TierInsertOutcome(stored: true, victims: victims)
    }

    @discardableResult
    func remove(_ key: ContentHash) -> Bool {
        guard isOpen, let index = directory.index(of: key) else { return false }
        freeSlot(directory.remove(at: index).payload.address)
        return true
    }

    func removeAll() {
        guard isOpen else { return }
        for entry in directory.removeAll() { freeSlot(entry.payload.address) }
    }

    func stats() -> TierStats {
        var stats = counters.stats(tier: .warm, backend: "shm", directory: directory)
        stats.reservedBytes = reservedBytes
        return stats
    }

    /// Shared memory this tier holds by its own account: the header and page table, and every
    /// page in use. What /dev/shm counts for the object (its allocated blocks) matches it.
    var reservedBytes: Int { isOpen ? layout.pagesOffset + allocator.pagesInUse * layout.pageSize : 0 }

    /// Unmaps the object; its contents stay for the next start.
    func close() {
        region.close()
    }

    // MARK: Introspection for tests

    var pagesInUse: Int { allocator.pagesInUse }
    var keys: [ContentHash] { directory.indicesOldestFirst().map { directory.entry(at: $0).key } }
    func slotAddress(of key: ContentHash) -> SlabAllocator.Address? {
        directory.index(of: key).map { directory.entry(at: $0).payload.address }
    }

    // MARK: Private

    private func slotBytes(of chunk: TierChunk) -> Int {
        WarmRegionLayout.Slot.headerSize + chunk.textBytes + chunk.vectorBytes(at: settings.precision)
    }

    private func find(_ key: ContentHash, refresh: Bool) -> Int? {
        guard isOpen, let index = directory.index(of: key) else { return nil }
        if refresh && settings.eviction == .lru {
            directory.touch(index)
            stampSlot(directory.entry(at: index).payload.address)
        }
        return index
    }

    private func slotPointer(_ address: SlabAllocator.Address) -> UnsafeMutableRawPointer {
        region.base! + layout.slotOffset(address.offset)
    }

    private func stampSlot(_ address: SlabAllocator.Address) {
        clock += 1
        slotPointer(address).storeBytes(of: clock, toByteOffset: WarmRegionLayout.Slot.stamp, as: UInt64.self)
    }

    private func read(_ entry: TierDirectory<Payload>.Entry) -> TierChunk {
        let payload = entry.payload
        let textStart = UnsafeRawPointer(slotPointer(payload.address)) + WarmRegionLayout.Slot.headerSize
        let text = String(decoding: UnsafeRawBufferPointer(start: textStart, count: payload.textLength), as: UTF8.self)
        let vector = payload.dimension >= 0
            ? TierVector.copy(from: textStart + payload.textLength, dimension: payload.dimension, precision: settings.precision)
            : nil
        return TierChunk(key: entry.key, text: text, tokenCount: entry.tokens, vector: vector)
    }

    private func evict(_ index: Int) -> TierChunk {
        let chunk = read(directory.entry(at: index))
        freeSlot(directory.remove(at: index).payload.address)
        counters.evictions += 1
        return chunk
    }

    /// A page newly given to a class: clear the magic at every slot boundary of the new layout,
    /// so no leftover bytes from an earlier use of the page can ever pass for an entry, then
    /// record the class in the page table.
    private func preparePage(_ page: Int, classIndex: Int) {
        let base = region.base!
        let classSize = layout.classSizes[classIndex]
        let pageStart = layout.pagesOffset + page * layout.pageSize
        for slot in 0..<(layout.pageSize / classSize) {
            base.storeBytes(of: UInt32(0), toByteOffset: pageStart + slot * classSize, as: UInt32.self)
        }
        base.storeBytes(of: UInt32(classIndex + 1), toByteOffset: layout.pageTableEntry(page), as: UInt32.self)
    }

    /// Clears the slot's magic first, so a crash right after never leaves a freed entry valid.
    /// A page left empty is marked free, then its memory is given back.
    private func freeSlot(_ address: SlabAllocator.Address) {
        slotPointer(address).storeBytes(of: UInt32(0), toByteOffset: WarmRegionLayout.Slot.magic, as: UInt32.self)
        if allocator.free(address) {
            region.base!.storeBytes(of: UInt32(0), toByteOffset: layout.pageTableEntry(address.page), as: UInt32.self)
            region.release(offset: layout.pageOffset(address.page), length: layout.pageSize)
        }
    }

    private func noteReservationFailure(errno code: Int32) {
        counters.reservationFailures += 1
        let failures = counters.reservationFailures
        guard let reservationFailed, failures & (failures - 1) == 0 else { return }
        reservationFailed(failures, StrataError(
            .resourceExhausted,
            "warm tier \(region.name) cannot reserve a \(layout.pageSize)-byte page of shared memory (\(String(cString: strerror(code)))); entries bypass it to the cold tier until /dev/shm has room"))
    }
}
