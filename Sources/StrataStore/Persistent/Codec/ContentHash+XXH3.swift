import CStrataSupport
import StrataCore

extension ContentHash {
    /// XXH3-128 of `bytes` (a chunk's UTF-8 text).
    public static func of(_ bytes: [UInt8]) -> ContentHash {
        var high: UInt64 = 0
        var low: UInt64 = 0
        bytes.withUnsafeBytes { strata_xxh3_128($0.baseAddress, $0.count, &high, &low) }
        return ContentHash(high: high, low: low)
    }

    /// XXH3-128 of a string's UTF-8 bytes.
    public static func of(_ text: String) -> ContentHash { of(Array(text.utf8)) }

    /// The key a chunk has in the memory tiers: its text hash mixed with its namespace's hash.
    ///
    /// Deduplication is per namespace, so the same text in two namespaces is two stored
    /// chunks (their vectors may differ); the memory tiers are keyed by one 128-bit value, so
    /// the namespace goes into it.
    public static func cacheKey(namespace: String, text: ContentHash) -> ContentHash {
        let ns = of(namespace)
        return ContentHash(high: text.high ^ ns.high, low: text.low ^ (ns.low &* 0x9E37_79B9_7F4A_7C15))
    }
}
