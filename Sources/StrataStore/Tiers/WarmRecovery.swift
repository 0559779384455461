import StrataCore

/// Reattaching the warm tier after a restart: what is kept and what is thrown away.
///
/// | found in shared memory                                   | action                          |
/// |----------------------------------------------------------|---------------------------------|
/// | no object, or an object of another size                  | create empty (`created`)        |
/// | header magic, version, CRC or geometry/precision differs | discard all (`discarded`)       |
/// | header epoch differs from the persistent tier's          | discard all (`discarded`)       |
/// | page-table entry names no size class                     | page freed, its slots unread    |
/// | slot magic set but lengths, precision or CRC wrong       | entry discarded, slot freed     |
/// | valid entry whose key the persistent tier does not hold  | entry discarded, slot freed     |
/// | two valid entries with one key                           | newer stamp kept, other freed   |
/// | valid entries beyond the byte or token capacity          | newest kept, oldest discarded   |
/// | everything else                                          | served again, LRU order rebuilt |
///
/// Nothing doubtful is ever served: an entry is reused only after its checksum (which covers
/// the epoch) and its key have been checked.
enum WarmRecovery {
    struct Restored {
        var allocator: SlabAllocator
        var directory: TierDirectory<WarmTier.Payload>
        var clock: UInt64
        var report: WarmRecoveryReport
    }

    static func attach(
        region: SharedMemoryRegion, layout: WarmRegionLayout, settings: TierSettings, epoch: UInt64,
        isValidKey: (ContentHash) -> Bool
    ) throws(StrataError) -> Restored {
        let fresh = SlabAllocator(pageSize: layout.pageSize, pageCount: layout.pageCount)
        let empty = TierDirectory<WarmTier.Payload>(settings: settings)
        if region.createdEmpty {
            writeHeader(region.base!, layout: layout, epoch: epoch, precision: settings.precision)
            return Restored(allocator: fresh, directory: empty, clock: 0, report: WarmRecoveryReport(start: .created))
        }
        if let reason = headerMismatch(region.base!, layout: layout, epoch: epoch, precision: settings.precision) {
            try region.discardContents()
            writeHeader(region.base!, layout: layout, epoch: epoch, precision: settings.precision)
            return Restored(
                allocator: fresh, directory: empty, clock: 0, report: WarmRecoveryReport(start: .discarded(reason: reason)))
        }
        return scan(region.base!, layout: layout, settings: settings, epoch: epoch, isValidKey: isValidKey)
    }

    // MARK: Header

    static func writeHeader(_ base: UnsafeMutableRawPointer, layout: WarmRegionLayout, epoch: UInt64, precision: VectorPrecision) {
        typealias H = WarmRegionLayout.Header
        base.storeBytes(of: WarmRegionLayout.formatVersion, toByteOffset: H.version, as: UInt32.self)
        base.storeBytes(of: epoch, toByteOffset: H.epoch, as: UInt64.self)
        base.storeBytes(of: UInt64(layout.pageSize), toByteOffset: H.pageSize, as: UInt64.self)
        base.storeBytes(of: UInt64(layout.pageCount), toByteOffset: H.pageCount, as: UInt64.self)
        base.storeBytes(of: WarmRegionLayout.precisionCode(precision), toByteOffset: H.precision, as: UInt32.self)
        base.storeBytes(of: UInt32(layout.classSizes.count), toByteOffset: H.classCount, as: UInt32.self)
        base.storeBytes(of: headerChecksum(base), toByteOffset: H.checksum, as: UInt32.self)
        // The magic goes last: a crash while formatting leaves a header that is refused.
        base.storeBytes(of: WarmRegionLayout.magic, toByteOffset: H.magic, as: UInt64.self)
    }

    /// Why the header cannot be trusted for this start, or nil when it matches.
    static func headerMismatch(_ base: UnsafeRawPointer, layout: WarmRegionLayout, epoch: UInt64, precision: VectorPrecision) -> String? {
        typealias H = WarmRegionLayout.Header
        guard base.load(fromByteOffset: H.magic, as: UInt64.self) == WarmRegionLayout.magic else { return "bad magic" }
        let version = base.load(fromByteOffset: H.version, as: UInt32.self)
        guard version == WarmRegionLayout.formatVersion else {
            return "format version \(version), expected \(WarmRegionLayout.formatVersion)"
        }
        guard base.load(fromByteOffset: H.checksum, as: UInt32.self) == headerChecksum(base) else { return "header checksum mismatch" }
        let storedEpoch = base.load(fromByteOffset: H.epoch, as: UInt64.self)
        guard storedEpoch == epoch else { return "epoch \(storedEpoch), expected \(epoch)" }
        guard base.load(fromByteOffset: H.pageSize, as: UInt64.self) == UInt64(layout.pageSize),
            base.load(fromByteOffset: H.pageCount, as: UInt64.self) == UInt64(layout.pageCount),
            base.load(fromByteOffset: H.classCount, as: UInt32.self) == UInt32(layout.classSizes.count)
        else { return "geometry changed" }
        guard base.load(fromByteOffset: H.precision, as: UInt32.self) == WarmRegionLayout.precisionCode(precision) else {
            return "precision changed"
        }
        return nil
    }

    private static func headerChecksum(_ base: UnsafeRawPointer) -> UInt32 {
        typealias H = WarmRegionLayout.Header
        return Checksum.crc32c(UnsafeRawBufferPointer(start: base + H.epoch, count: H.checkedEnd - H.epoch))
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
        _ base: UnsafeMutableRawPointer, layout: WarmRegionLayout, settings: TierSettings, epoch: UInt64,
        isValidKey: (ContentHash) -> Bool
    ) -> Restored {
        var candidates: [Candidate] = []
        var discarded = 0
        var pageClasses: [Int: Int] = [:]
        var clock: UInt64 = 0
        for page in 0..<layout.pageCount {
            let code = Int(base.load(fromByteOffset: layout.pageTableEntry(page), as: UInt32.self))
            guard code != 0 else { continue }
            guard code <= layout.classSizes.count else {
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
