import CStrataSupport

/// CRC32C (Castagnoli), the checksum of every WAL frame, segment block and manifest.
///
/// Hardware `crc32` (SSE4.2) when the CPU has it; the C leaf falls back to a table otherwise.
enum Checksum {
    static func crc32c(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return seed }
        return strata_crc32c(seed, base, bytes.count)
    }

    static func crc32c(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0, seed: seed) }
    }

    static func crc32c(_ bytes: ArraySlice<UInt8>, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0, seed: seed) }
    }
}
