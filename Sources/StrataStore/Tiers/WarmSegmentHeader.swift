import StrataCore

/// Reads and writes the header of the warm tier's shared-memory object (layout in
/// `WarmRegionLayout`): geometry, epoch and owner, under one CRC32C.
enum WarmSegmentHeader {
    typealias H = WarmRegionLayout.Header

    /// Formats a header for `layout`; the magic goes last, so a crash while formatting leaves
    /// a header that is refused.
    static func write(
        _ base: UnsafeMutableRawPointer, layout: WarmRegionLayout, epoch: UInt64, precision: VectorPrecision, owner: WarmTierOwner
    ) {
        base.storeBytes(of: UInt64(0), toByteOffset: H.magic, as: UInt64.self)
        base.storeBytes(of: WarmRegionLayout.formatVersion, toByteOffset: H.version, as: UInt32.self)
        base.storeBytes(of: epoch, toByteOffset: H.epoch, as: UInt64.self)
        base.storeBytes(of: UInt64(layout.pageSize), toByteOffset: H.pageSize, as: UInt64.self)
        base.storeBytes(of: UInt64(layout.pageCount), toByteOffset: H.pageCount, as: UInt64.self)
        base.storeBytes(of: WarmRegionLayout.precisionCode(precision), toByteOffset: H.precision, as: UInt32.self)
        base.storeBytes(of: UInt32(layout.classSizes.count), toByteOffset: H.classCount, as: UInt32.self)
        storeOwner(base, owner)
        base.storeBytes(of: WarmRegionLayout.magic, toByteOffset: H.magic, as: UInt64.self)
    }

    /// Records a new owner in a header that validated (the same store reopened at another
    /// path, or under another node id). A crash in between leaves a header whose CRC fails:
    /// the next start discards the tier, which is only a cache.
    static func rewriteOwner(_ base: UnsafeMutableRawPointer, _ owner: WarmTierOwner) {
        guard self.owner(UnsafeRawPointer(base)) != owner else { return }
        storeOwner(base, owner)
    }

    /// Why the header cannot be trusted for this start, or nil when it matches.
    static func mismatch(_ base: UnsafeRawPointer, layout: WarmRegionLayout, epoch: UInt64, precision: VectorPrecision) -> String? {
        guard base.load(fromByteOffset: H.magic, as: UInt64.self) == WarmRegionLayout.magic else { return "bad magic" }
        let version = base.load(fromByteOffset: H.version, as: UInt32.self)
        guard version == WarmRegionLayout.formatVersion else {
            return "format version \(version), expected \(WarmRegionLayout.formatVersion)"
        }
        guard base.load(fromByteOffset: H.checksum, as: UInt32.self) == checksum(base) else { return "header checksum mismatch" }
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

    /// The owner a header of `WarmRegionLayout.headerSize` bytes names, or why it names none
    /// (not a warm tier, an older format, a damaged or half-written header).
    static func owner(inHeader header: UnsafeRawBufferPointer) -> Result<WarmTierOwner, OwnerUnknown> {
        guard header.count >= WarmRegionLayout.headerSize, let base = header.baseAddress else {
            return .failure(OwnerUnknown("shorter than a warm tier header"))
        }
        guard base.load(fromByteOffset: H.magic, as: UInt64.self) == WarmRegionLayout.magic else {
            return .failure(OwnerUnknown("no warm tier header (being created, or not a warm tier)"))
        }
        let version = base.load(fromByteOffset: H.version, as: UInt32.self)
        guard version == WarmRegionLayout.formatVersion else {
            return .failure(OwnerUnknown("format version \(version) (an older build): no owner recorded"))
        }
        guard base.load(fromByteOffset: H.checksum, as: UInt32.self) == checksum(base) else {
            return .failure(OwnerUnknown("header checksum mismatch (damaged, or being rewritten)"))
        }
        return .success(owner(base))
    }

    /// Why a segment's owner is not known.
    struct OwnerUnknown: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    // MARK: Private

    private static func owner(_ base: UnsafeRawPointer) -> WarmTierOwner {
        func text(_ offset: Int, _ lengthOffset: Int, _ capacity: Int) -> String {
            let length = min(Int(base.load(fromByteOffset: lengthOffset, as: UInt32.self)), capacity)
            return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: length), as: UTF8.self)
        }
        return WarmTierOwner(
            directory: text(H.ownerDirectory, H.ownerDirectoryLength, H.ownerDirectoryCapacity),
            node: text(H.ownerNode, H.ownerNodeLength, H.ownerNodeCapacity))
    }

    /// Writes the owner's fields (a field too long for its place is left empty: unknown, never
    /// cut short into another path) and the CRC.
    private static func storeOwner(_ base: UnsafeMutableRawPointer, _ owner: WarmTierOwner) {
        func store(_ text: String, at offset: Int, lengthAt lengthOffset: Int, capacity: Int) {
            let bytes = Array(text.utf8)
            let kept = bytes.count <= capacity ? bytes : []
            (base + offset).initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
            kept.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress, !bytes.isEmpty { (base + offset).copyMemory(from: source, byteCount: bytes.count) }
            }
            base.storeBytes(of: UInt32(kept.count), toByteOffset: lengthOffset, as: UInt32.self)
        }
        store(owner.node, at: H.ownerNode, lengthAt: H.ownerNodeLength, capacity: H.ownerNodeCapacity)
        store(owner.directory, at: H.ownerDirectory, lengthAt: H.ownerDirectoryLength, capacity: H.ownerDirectoryCapacity)
        base.storeBytes(of: checksum(UnsafeRawPointer(base)), toByteOffset: H.checksum, as: UInt32.self)
    }

    private static func checksum(_ base: UnsafeRawPointer) -> UInt32 {
        Checksum.crc32c(UnsafeRawBufferPointer(start: base + H.epoch, count: H.checkedEnd - H.epoch))
    }
}
