/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8, pure Swift.
///
/// The warm tier checksums every shared-memory entry with it. The persistent tier's C
/// implementation (CStrataSupport) computes the same function; this copy exists so the tiers
/// did not wait for it, and can be replaced by a call to it once both are merged.
enum CRC32C {
    /// Eight 256-entry tables, flattened: `tables[k * 256 + byte]`.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC32C of `bytes`; pass an earlier result as `seed` to continue a running checksum
    /// (`checksum(b, seed: checksum(a)) == checksum(a + b)`).
    static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return seed }
        var remaining = bytes.count
        var crc = ~seed
        tables.withUnsafeBufferPointer { t in
            while remaining >= 8 {
                let lo = p.loadUnaligned(as: UInt32.self).littleEndian ^ crc
                let hi = p.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
                p += 1
                remaining -= 1
            }
        }
        return ~crc
    }

    /// Convenience for byte arrays (tests, small inputs).
    static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }
}
