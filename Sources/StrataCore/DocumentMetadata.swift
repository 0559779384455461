import StrataCore

/// A document's metadata: key/value pairs that queries filter on by exact, case-sensitive
/// equality (`Filter.metadata_equals`).
///
/// The pairs are kept sorted by key with each key once, so the same metadata sent in another
/// order encodes to the same bytes in the WAL, the segments and a slot copy. The only public
/// way to build one is `init(validating:field:)`, so a value that exists is within the limits:
/// the store, the worker's index and the coordinator never see metadata they would refuse.
///
/// Limits: every chunk of a document repeats its metadata on the wire (`Chunk.metadata`) and
/// the worker's index keeps it per document, so it is bounded like a small header, not like
/// text: at most `maximumPairs` pairs, keys up to `maximumKeyBytes` and values up to
/// `maximumValueBytes` of UTF-8. Empty keys and values are allowed (the wire contract says
/// "any string, empty included").
public struct DocumentMetadata: Sendable, Hashable, CustomStringConvertible {
    /// One key/value pair.
    public struct Pair: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public static let maximumPairs = 32
    public static let maximumKeyBytes = 128
    public static let maximumValueBytes = 1024

    /// Sorted by key (byte order of the UTF-8), keys unique.
    public private(set) var pairs: [Pair]

    /// No metadata.
    public static let empty = DocumentMetadata(sortedUnique: [])

    /// Trusted: `pairs` are sorted, unique and within the limits (decoded from the store's
    /// own files, which only ever hold validated metadata; the decoder re-checks the order).
    package init(sortedUnique pairs: [Pair]) { self.pairs = pairs }

    /// Checks `pairs` against the limits and sorts them. A repeated key is refused even with
    /// the same value, because a client sending it twice most likely meant something else.
    /// Errors are INVALID_ARGUMENT naming `field` and the offending pair (`field[3].key`).
    public init(validating pairs: [(key: String, value: String)], field: String) throws(StrataError) {
        guard pairs.count <= Self.maximumPairs else {
            throw .invalidArgument("\(field) has \(pairs.count) pairs; the maximum is \(Self.maximumPairs)")
        }
        var seen: [String: Int] = [:]
        for (i, pair) in pairs.enumerated() {
            guard pair.key.utf8.count <= Self.maximumKeyBytes else {
                throw .invalidArgument("\(field)[\(i)].key is \(pair.key.utf8.count) bytes; the maximum is \(Self.maximumKeyBytes)")
            }
            guard pair.value.utf8.count <= Self.maximumValueBytes else {
                throw .invalidArgument("\(field)[\(i)].value is \(pair.value.utf8.count) bytes; the maximum is \(Self.maximumValueBytes)")
            }
            if let first = seen[pair.key] {
                throw .invalidArgument("\(field)[\(i)].key \"\(pair.key)\" repeats \(field)[\(first)].key; each key may appear once")
            }
            seen[pair.key] = i
        }
        self.pairs = pairs.map { Pair(key: $0.key, value: $0.value) }.sorted { Self.precedes($0.key, $1.key) }
    }

    /// Key order: UTF-8 bytes, so the order does not depend on Unicode normalization rules.
    package static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    public var isEmpty: Bool { pairs.isEmpty }

    /// The value of `key`, nil when the document has no such key.
    public subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    /// The pairs as a dictionary (what the search shard filters on).
    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
    }

    /// Bytes the pairs take in a record (for size estimates).
    package var encodedSize: Int { 4 + pairs.reduce(0) { $0 + 8 + $1.key.utf8.count + $1.value.utf8.count } }

    public var description: String { "{" + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}" }
}
