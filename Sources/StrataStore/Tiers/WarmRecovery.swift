import StrataCore

/// Reattaching the warm tier after a restart: what is kept and what is thrown away.
///
/// | found in shared memory                                   | action                          |
/// |----------------------------------------------------------|---------------------------------|
/// | no object, or an object of another size                  | create empty (`created`)        |
/// | header magic, version, CRC or geometry/precision differs | discard all (`discarded`)       |
/// | header epoch differs from the persistent tier's          | discard all (`discarded`)       |
/// | page-table entry names no size class                     | page freed, its slots unread    |
/// | page in use whose memory cannot be reserved again        | page freed, its slots unread    |
/// | slot magic set but lengths, precision or CRC wrong       | entry discarded, slot freed     |
/// | valid entry whose key the persistent tier does not hold  | entry discarded, slot freed     |
/// | two valid entries with one key                           | newer stamp kept, other freed   |
/// | valid entries beyond the byte or token capacity          | newest kept, oldest discarded   |
/// | everything else                                          | served again, LRU order rebuilt |
///
/// Nothing doubtful is ever served: an entry is reused only after its checksum (which covers
/// the epoch) and its key have been checked. Every page left free afterwards gives its memory
/// back, and the header records the new owner.
enum WarmRecovery {
    struct Restored {
        var allocator: SlabAllocator
        var directory: TierDirectory<WarmTier.Payload>
        var clock: UInt64
        var report: WarmRecoveryReport
    }

    static func attach(
        region: SharedMemoryRegion, layout: WarmRegionLayout, settings: TierSettings, epoch: UInt64, owner: WarmTierOwner,
        isValidKey: (ContentHash) -> Bool
    ) throws(StrataError) -> Restored {
        let fresh = SlabAllocator(pageSize: layout.pageSize, pageCount: layout.pageCount)
        let empty = TierDirectory<WarmTier.Payload>(settings: settings)
        if region.createdEmpty {
            WarmSegmentHeader.write(region.base!, layout: layout, epoch: epoch, precision: settings.precision, owner: owner)
            return Restored(allocator: fresh, directory: empty, clock: 0, report: WarmRecoveryReport(start: .created))
        }
        if let reason = WarmSegmentHeader.mismatch(region.base!, layout: layout, epoch: epoch, precision: settings.precision) {
            try region.discardContents()
            WarmSegmentHeader.write(region.base!, layout: layout, epoch: epoch, precision: settings.precision, owner: owner)
            return Restored(
                allocator: fresh, directory: empty, clock: 0, report: WarmRecoveryReport(start: .discarded(reason: reason)))
        }
        let restored = scan(region, layout: layout, settings: settings, epoch: epoch, isValidKey: isValidKey)
        releaseFreePages(region, layout: layout, allocator: restored.allocator)
        WarmSegmentHeader.rewriteOwner(region.base!, owner)
        return restored
    }

    /// Gives back the memory of every free page, in runs: pages freed just now, and any page an
    /// earlier process reserved but never recorded (it died in between).
    private static func releaseFreePages(_ region: SharedMemoryRegion, layout: WarmRegionLayout, allocator: SlabAllocator) {
        var page = 0
        while page < layout.pageCount {
            guard allocator.classOfPage(page) == nil else {
                page += 1
                continue
            }
            let first = page
            while page < layout.pageCount && allocator.classOfPage(page) == nil { page += 1 }
            region.release(offset: layout.pageOffset(first), length: (page - first) * layout.pageSize)
        }
    }

    // MARK: Entries

    private struct Candidate {
        var entry: WarmEntryCodec.ValidEntry
        var page: Int
        var slot: Int
        var classIndex: Int
        var bytes: Int
    }

    private static func scan(
        _ region: SharedMemoryRegion, layout: WarmRegionLayout, settings: TierSettings, epoch: UInt64,
        isValidKey: (ContentHash) -> Bool
    ) -> Restored {
        let base = region.base!
        var candidates: [Candidate] = []
        var discarded = 0
        var pageClasses: [Int: Int] = [:]
        var clock: UInt64 = 0
        for page in 0..<layout.pageCount {
            let code = Int(base.load(fromByteOffset: layout.pageTableEntry(page), as: UInt32.self))
            guard code != 0 else { continue }
            // Reserving a page that holds memory already costs little; one that does not (a
            // damaged page-table entry) must not be read through the mapping on a full tmpfs.
            guard code <= layout.classSizes.count, region.reserve(offset: layout.pageOffset(page), length: layout.pageSize) == 0 else {
                base.storeBytes(of: UInt32(0), toByteOffset: layout.pageTableEntry(page), as: UInt32.self)
                continue
            }
            let classIndex = code - 1
            let classSize = layout.classSizes[classIndex]
            pageClasses[page] = classIndex
            let pageStart = layout.pagesOffset + page * layout.pageSize
            for slot in 0..<(layout.pageSize / classSize) {
                let slotPointer = base + pageStart + slot * classSize
                guard slotPointer.load(as: UInt32.self) != 0 else { continue }
                guard let entry = WarmEntryCodec.validate(
                    slot: slotPointer, slotSize: classSize, precision: settings.precision, epoch: epoch),
                    isValidKey(entry.key)
                else {
                    slotPointer.storeBytes(of: UInt32(0), as: UInt32.self)
                    discarded += 1
                    continue
                }
                clock = max(clock, entry.stamp)
                let bytes = TierEntrySize.bytes(
                    textBytes: entry.textLength, dimension: entry.dimension >= 0 ? entry.dimension : nil,
                    precision: settings.precision)
                candidates.append(Candidate(entry: entry, page: page, slot: slot, classIndex: classIndex, bytes: bytes))
            }
        }

        // Newest first: duplicates and what exceeds the capacity lose to more recent entries.
        candidates.sort { $0.entry.stamp > $1.entry.stamp }
        var kept: [Candidate] = []
        var seen = Set<ContentHash>()
        var bytes = 0
        var tokens = 0
        for candidate in candidates {
            if seen.insert(candidate.entry.key).inserted,
                bytes + candidate.bytes <= settings.capacityBytes, tokens + candidate.entry.tokens <= settings.capacityTokens
            {
                bytes += candidate.bytes
                tokens += candidate.entry.tokens
                kept.append(candidate)
            } else {
                let offset = layout.pagesOffset + candidate.page * layout.pageSize + candidate.slot * layout.classSizes[candidate.classIndex]
                base.storeBytes(of: UInt32(0), toByteOffset: offset, as: UInt32.self)
                discarded += 1
            }
        }

        var usedSlots: [Int: [Int]] = [:]
        for candidate in kept { usedSlots[candidate.page, default: []].append(candidate.slot) }
        let allocator = SlabAllocator(
            pageSize: layout.pageSize, pageCount: layout.pageCount, pageClasses: pageClasses, usedSlots: usedSlots)
        for page in pageClasses.keys where allocator.classOfPage(page) == nil {
            base.storeBytes(of: UInt32(0), toByteOffset: layout.pageTableEntry(page), as: UInt32.self)
        }

        var directory = TierDirectory<WarmTier.Payload>(settings: settings)
        for candidate in kept.reversed() {
            let payload = WarmTier.Payload(
                address: allocator.address(page: candidate.page, slot: candidate.slot),
                textLength: candidate.entry.textLength, dimension: candidate.entry.dimension)
            directory.insert(key: candidate.entry.key, payload: payload, bytes: candidate.bytes, tokens: candidate.entry.tokens)
        }
        let report = WarmRecoveryReport(start: .reattached, restoredEntries: kept.count, discardedEntries: discarded)
        return Restored(allocator: allocator, directory: directory, clock: clock, report: report)
    }
}
