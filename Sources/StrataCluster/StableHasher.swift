/// A 64-bit hash that never changes: FNV-1a 64 over bytes, finished with MurmurHash3's
/// `fmix64` avalanche step.
///
/// Slot numbers and replica placement are derived from this hash, so it decides where data
/// lives and must give the same value in every process, on every machine, forever. Swift's
/// `Hasher` is randomly seeded per process and cannot be used. FNV-1a alone mixes its low bits
/// poorly (and `mod S` reads the low bits), which is why the finalizer is applied.
///
/// Changing anything here (constants, byte order, separators) moves every document to another
/// slot: it requires a new cluster map format version and a data migration.
public struct StableHasher: Sendable {
    /// FNV-1a 64 offset basis.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// FNV-1a 64 prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01b3
    /// Separates variable-length fields. 0xFF never occurs in valid UTF-8, so
    /// ("ab", "c") and ("a", "bc") can never hash the same input bytes.
    public static let separator: UInt8 = 0xFF

    private var state: UInt64 = StableHasher.offsetBasis

    public init() {}

    /// Feeds one byte.
    public mutating func combine(byte: UInt8) {
        state = (state ^ UInt64(byte)) &* StableHasher.prime
    }

    /// Feeds the UTF-8 bytes of `string` (no terminator; use `combineSeparator` between fields).
    public mutating func combine(utf8 string: String) {
        for byte in string.utf8 { combine(byte: byte) }
    }

    /// Feeds the field separator byte (0xFF).
    public mutating func combineSeparator() {
        combine(byte: StableHasher.separator)
    }

    /// Feeds a 32-bit value as 4 little-endian bytes.
    public mutating func combine(uint32 value: UInt32) {
        // Unrolled: placement hashes every (slot, worker) pair on each planning round.
        combine(byte: UInt8(truncatingIfNeeded: value))
        combine(byte: UInt8(truncatingIfNeeded: value >> 8))
        combine(byte: UInt8(truncatingIfNeeded: value >> 16))
        combine(byte: UInt8(truncatingIfNeeded: value >> 24))
    }

    /// The finished hash: `fmix64(fnv1a64(bytes))`.
    public func finalize() -> UInt64 {
        StableHasher.fmix64(state)
    }

    /// MurmurHash3's 64-bit finalizer: every input bit affects every output bit.
    public static func fmix64(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
