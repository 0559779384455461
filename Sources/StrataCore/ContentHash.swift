/// A 128-bit content hash (XXH3-128 of the chunk's UTF-8 text, computed in StrataStore).
///
/// Chunks are content-addressed inside a namespace: identical text is stored once with a
/// reference count, and memory-tier entries are keyed by it, which is what lets a restarted
/// worker validate its warm tier against the persistent tier.
public struct ContentHash: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static func < (lhs: ContentHash, rhs: ContentHash) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// 32 lowercase hex digits.
    public var description: String {
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(high) + hex(low)
    }
}
