import StrataCore
@testable import StrataStore

/// The store tests draw from the shared seeded generator.
typealias SeededGenerator = SplitMix64

/// Builders shared by the tier tests.
enum TierFixtures {
    static func key(_ i: Int) -> ContentHash {
        ContentHash(high: UInt64(i) &* 0x9E37_79B9_7F4A_7C15 | 1, low: UInt64(i))
    }

    /// A chunk whose text is `textBytes` ASCII bytes derived from `i`, with a seeded vector.
    static func chunk(_ i: Int, textBytes: Int = 100, tokens: Int = 10, dimension: Int? = 8) -> CachedChunk {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var text = "#\(i) "
        while text.utf8.count < textBytes { text.append(letters[(i + text.utf8.count) % 26]) }
        text = String(text.prefix(textBytes))
        var rng = SeededGenerator(seed: UInt64(i) + 1)
        let vector = dimension.map { d in (0..<d).map { _ in Float.random(in: -1...1, using: &rng) } }
        return CachedChunk(key: key(i), text: text, tokenCount: tokens, vector: vector)
    }

    /// Entry bytes of `chunk(_:textBytes:dimension:)` at INT8: text + dimension + 4 (scale) + 64.
    static func int8Bytes(textBytes: Int = 100, dimension: Int = 8) -> Int { textBytes + dimension + 4 + 64 }

    static func settings(
        bytes: Int = 1 << 20, tokens: Int = 1_000_000, precision: VectorPrecision = .int8, eviction: EvictionPolicy = .lru
    ) -> TierSettings {
        TierSettings(capacityBytes: bytes, capacityTokens: tokens, precision: precision, eviction: eviction)
    }

    /// A tier that holds nothing, so admissions pass through it.
    static let disabled = TierSettings(capacityBytes: 0, capacityTokens: 0, precision: .int8, eviction: .lru)

    static func uniqueSegmentName(_ label: String) -> String {
        "strata-test-\(label)-\(UInt64.random(in: 0..<UInt64.max))"
    }

    static func hierarchy(
        hot: TierSettings = settings(), warm: TierSettings = settings(), cold: TierSettings = settings(precision: .float16, eviction: .fifo),
        segment: String, epoch: UInt64 = 1, isValidKey: (ContentHash) -> Bool = { _ in true }
    ) throws(StrataError) -> TierHierarchy {
        try TierHierarchy(hot: hot, warm: warm, cold: cold, warmSegmentName: segment, epoch: epoch, isValidKey: isValidKey)
    }

    /// Which tier holds `key` right now, looked up without promoting or counting.
    static func tierHolding(_ key: ContentHash, in hierarchy: TierHierarchy) -> TierName? {
        hierarchy.inspect { tiers in
            if tiers.hot.lookup(key, refresh: false) != nil { return .hot }
            if tiers.warm.lookup(key, refresh: false) != nil { return .warm }
            if tiers.cold.lookup(key, refresh: false) != nil { return .cold }
            return nil
        }
    }

    static func stats(_ hierarchy: TierHierarchy, _ tier: TierName) -> TierStats {
        hierarchy.stats().first { $0.tier == tier }!
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0
        var na = 0.0
        var nb = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }
}
