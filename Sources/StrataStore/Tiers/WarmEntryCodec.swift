import StrataCore

/// Writes and validates one warm-tier entry in its slot (layout in `WarmRegionLayout`).
enum WarmEntryCodec {
    typealias Slot = WarmRegionLayout.Slot

    /// An entry read back from a slot that passed every check.
    struct ValidEntry {
        var key: ContentHash
        var stamp: UInt64
        var tokens: Int
        var textLength: Int
        /// -1 when the chunk has no vector.
        var dimension: Int
    }

    /// Writes the entry with its magic last: until the final store the slot reads as free.
    static func write(_ chunk: TierChunk, precision: VectorPrecision, stamp: UInt64, epoch: UInt64, at slot: UnsafeMutableRawPointer) {
        slot.storeBytes(of: UInt32(0), toByteOffset: Slot.magic, as: UInt32.self)
        slot.storeBytes(of: stamp, toByteOffset: Slot.stamp, as: UInt64.self)
        slot.storeBytes(of: chunk.key.high, toByteOffset: Slot.keyHigh, as: UInt64.self)
        slot.storeBytes(of: chunk.key.low, toByteOffset: Slot.keyLow, as: UInt64.self)
        slot.storeBytes(of: UInt32(chunk.tokenCount), toByteOffset: Slot.tokens, as: UInt32.self)
        var text = chunk.text
        let textLength = text.utf8.count
        slot.storeBytes(of: UInt32(textLength), toByteOffset: Slot.textLength, as: UInt32.self)
        slot.storeBytes(of: UInt32(chunk.vector?.dimension ?? 0), toByteOffset: Slot.dimension, as: UInt32.self)
        slot.storeBytes(of: UInt8(WarmRegionLayout.precisionCode(precision)), toByteOffset: Slot.precision, as: UInt8.self)
        slot.storeBytes(of: chunk.vector == nil ? 0 : Slot.hasVectorFlag, toByteOffset: Slot.flags, as: UInt8.self)
        slot.storeBytes(of: UInt16(0), toByteOffset: Slot.flags + 1, as: UInt16.self)
        text.withUTF8 { utf8 in
            if let source = utf8.baseAddress, textLength > 0 {
                (slot + Slot.headerSize).copyMemory(from: source, byteCount: textLength)
            }
        }
        let vectorBytes = chunk.vectorBytes(at: precision)
        chunk.vector?.write(at: precision, into: slot + Slot.headerSize + textLength)
        let crc = checksum(slot: UnsafeRawPointer(slot), payloadBytes: textLength + vectorBytes, epoch: epoch)
        slot.storeBytes(of: crc, toByteOffset: Slot.checksum, as: UInt32.self)
        slot.storeBytes(of: WarmRegionLayout.entryMagic, toByteOffset: Slot.magic, as: UInt32.self)
    }

    /// The entry in a `slotSize`-byte slot when its magic, lengths, precision and checksum all
    /// hold; nil otherwise. Lengths are checked against the slot before anything is read past
    /// the header, so a damaged length cannot make the check read out of bounds.
    static func validate(slot: UnsafeRawPointer, slotSize: Int, precision: VectorPrecision, epoch: UInt64) -> ValidEntry? {
        guard slot.load(fromByteOffset: Slot.magic, as: UInt32.self) == WarmRegionLayout.entryMagic else { return nil }
        let textLength = Int(slot.load(fromByteOffset: Slot.textLength, as: UInt32.self))
        let dimension = Int(slot.load(fromByteOffset: Slot.dimension, as: UInt32.self))
        let flags = slot.load(fromByteOffset: Slot.flags, as: UInt8.self)
        let hasVector = flags & Slot.hasVectorFlag != 0
        guard flags & ~Slot.hasVectorFlag == 0,
            slot.load(fromByteOffset: Slot.precision, as: UInt8.self) == UInt8(WarmRegionLayout.precisionCode(precision)),
            hasVector || dimension == 0,
            textLength <= slotSize, dimension <= slotSize
        else { return nil }
        let vectorBytes = hasVector ? TierVectorCodec.byteCount(dimension: dimension, precision: precision) : 0
        guard Slot.headerSize + textLength + vectorBytes <= slotSize,
            checksum(slot: slot, payloadBytes: textLength + vectorBytes, epoch: epoch)
                == slot.load(fromByteOffset: Slot.checksum, as: UInt32.self)
        else { return nil }
        let key = ContentHash(
            high: slot.load(fromByteOffset: Slot.keyHigh, as: UInt64.self),
            low: slot.load(fromByteOffset: Slot.keyLow, as: UInt64.self))
        return ValidEntry(
            key: key,
            stamp: slot.load(fromByteOffset: Slot.stamp, as: UInt64.self),
            tokens: Int(slot.load(fromByteOffset: Slot.tokens, as: UInt32.self)),
            textLength: textLength,
            dimension: hasVector ? dimension : -1)
    }

    /// CRC32C of the epoch, then of bytes [16, 48 + payload) of the slot.
    static func checksum(slot: UnsafeRawPointer, payloadBytes: Int, epoch: UInt64) -> UInt32 {
        let seed = withUnsafeBytes(of: epoch.littleEndian) { Checksum.crc32c($0) }
        let checked = UnsafeRawBufferPointer(
            start: slot + Slot.checkedStart, count: Slot.headerSize - Slot.checkedStart + payloadBytes)
        return Checksum.crc32c(checked, seed: seed)
    }
}
