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
    public static func of(_ text: String) -> ContentHash {
        // Hashed in place from the string's UTF-8 storage: this runs several times per chunk
        // written (cache keys), and a temporary array each time showed up in ingest profiles.
        var text = text
        return text.withUTF8 { utf8 in
            var high: UInt64 = 0
            var low: UInt64 = 0
            strata_xxh3_128(utf8.baseAddress, utf8.count, &high, &low)
            return ContentHash(high: high, low: low)
        }
    }

    /// The key a chunk has in the memory tiers: its text hash mixed with its namespace's hash.
    ///
    /// Deduplication is per namespace, so the same text in two namespaces is two stored
    /// chunks (their vectors may differ); the memory tiers are keyed by one 128-bit value, so
    /// the namespace goes into it.
    public static func cacheKey(namespace: String, text: ContentHash) -> ContentHash {
        cacheKey(namespaceHash: of(namespace), text: text)
    }

    /// Same, from `ContentHash.of(namespace)` computed once for many chunks of one namespace.
    public static func cacheKey(namespaceHash ns: ContentHash, text: ContentHash) -> ContentHash {
        ContentHash(high: text.high ^ ns.high, low: text.low ^ (ns.low &* 0x9E37_79B9_7F4A_7C15))
    }
}
