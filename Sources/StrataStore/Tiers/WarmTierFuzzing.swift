#if canImport(Glibc)
import Glibc
#endif
import StrataCore

/// The warm tier's restart path on bytes an earlier process (or anyone who can write to
/// /dev/shm) left in its shared-memory object, for the `fuzz-warm` target (Fuzz/). Not API:
/// only `@_spi(Fuzzing) import StrataStore` sees it.
///
/// The segment is a real POSIX shared-memory object (`name`, unique per process), laid out
/// as `WarmRegionLayout` says for a small tier; the bytes are written into it, then a
/// `WarmTier` attaches exactly as a worker does at start (`WarmRecovery`), and every entry it
/// keeps is read back. The object is unlinked before returning.
@_spi(Fuzzing) public enum WarmTierFuzzing {
    /// How the bytes reach the segment.
    public enum Shape: Sendable {
        /// Header, page table and pages as given (the header checks: magic, version, CRC, ...).
        case raw
        /// A header that validates, then page table and pages as given (the page table and
        /// slot checks behind it).
        case validHeader
        /// A tier that held `chunks` (text, tokens) when it was closed, then `damage` applied:
        /// (offset, xor) pairs over the header, page table and first pages (the slot checks
        /// of entries that were once right).
        case damagedAfterUse(chunks: [(text: String, tokens: Int)], damage: [(offset: Int, xor: UInt8)])
    }

    public static let settings = TierSettings(capacityBytes: 256 << 10, capacityTokens: 1 << 20, precision: .float16, eviction: .lru)

    /// Attaches a tier to the segment `shape` and `bytes` describe; returns how many entries it
    /// kept. Throws only what opening shared memory throws (never for the bytes).
    public static func attach(_ shape: Shape, bytes: [UInt8], name: String) throws(StrataError) -> Int {
        let layout = WarmRegionLayout(settings: settings)
        defer { try? SharedMemoryRegion.unlink(name: name) }
        try? SharedMemoryRegion.unlink(name: name)
        switch shape {
        case .raw, .validHeader:
            let region = try SharedMemoryRegion(name: name, size: layout.totalSize, reservedPrefix: layout.totalSize)
            let base = region.base!
            var at = 0
            if case .validHeader = shape {
                WarmSegmentHeader.write(base, layout: layout, epoch: 1, precision: settings.precision, owner: .unknown)
                at = WarmRegionLayout.headerSize
            }
            let count = min(bytes.count, layout.totalSize - at)
            bytes.withUnsafeBytes { (base + at).copyMemory(from: $0.baseAddress!, byteCount: count) }
            region.close()
        case .damagedAfterUse(let chunks, let damage):
            let tier = try WarmTier(settings: settings, segmentName: name, epoch: 1, isValidKey: { _ in true })
            for (index, chunk) in chunks.enumerated() {
                _ = tier.insert(TierChunk(key: ContentHash(high: UInt64(index + 1), low: 7), text: chunk.text,
                                          tokenCount: chunk.tokens, vector: nil))
            }
            tier.close()
            let region = try SharedMemoryRegion(name: name, size: layout.totalSize, reservedPrefix: layout.totalSize)
            let span = min(layout.totalSize, layout.pagesOffset + 4 * layout.pageSize)
            for (offset, xor) in damage {
                let pointer = region.base!.advanced(by: offset % span).assumingMemoryBound(to: UInt8.self)
                pointer.pointee ^= xor
            }
            region.close()
        }
        var keys: [ContentHash] = []
        let tier = try WarmTier(settings: settings, segmentName: name, epoch: 1, isValidKey: { key in
            keys.append(key)
            return true
        })
        defer { tier.close() }
        var kept = 0
        for key in keys where tier.peek(key, refresh: false) != nil {
            _ = tier.lookup(key, refresh: true)
            kept += 1
        }
        return kept
    }
}
