import StrataCore

/// `Filter.metadata_equals` checked and resolved: a document passes when its metadata holds
/// every pair, exactly and case-sensitively. A key the documents do not have matches none of
/// them, which is an empty answer, not an error.
///
/// Pure, used by the coordinator (to refuse a bad filter before any worker is called) and by
/// each worker's `SlotQueryPlan` (which gets the filter on its own requests too).
public struct MetadataFilter: Sendable, Equatable {
    /// The pairs every passing document must hold.
    public var required: [String: String]
    /// True when the filter asks for one key with two different values: no document can
    /// pass (a document holds each key once), so the search is skipped.
    public var matchesNothing: Bool

    /// Refuses pairs no document could ever hold (beyond `DocumentMetadata`'s limits) with
    /// INVALID_ARGUMENT naming `field[i]`. The same pair given twice is harmless and kept once.
    public init(_ pairs: [(key: String, value: String)], field: String = "filter.metadata_equals") throws(StrataError) {
        guard pairs.count <= DocumentMetadata.maximumPairs else {
            throw .invalidArgument("\(field) has \(pairs.count) pairs; the maximum is \(DocumentMetadata.maximumPairs)")
        }
        var required: [String: String] = [:]
        var conflict = false
        for (i, pair) in pairs.enumerated() {
            guard pair.key.utf8.count <= DocumentMetadata.maximumKeyBytes else {
                throw .invalidArgument("\(field)[\(i)].key is \(pair.key.utf8.count) bytes; the maximum is \(DocumentMetadata.maximumKeyBytes)")
            }
            guard pair.value.utf8.count <= DocumentMetadata.maximumValueBytes else {
                throw .invalidArgument("\(field)[\(i)].value is \(pair.value.utf8.count) bytes; the maximum is \(DocumentMetadata.maximumValueBytes)")
            }
            if let other = required[pair.key], other != pair.value { conflict = true }
            required[pair.key] = pair.value
        }
        self.required = required
        self.matchesNothing = conflict
    }

    public var isEmpty: Bool { required.isEmpty && !matchesNothing }

    /// Whether a document with this metadata passes.
    public func admits(_ metadata: DocumentMetadata) -> Bool {
        !matchesNothing && required.allSatisfy { metadata[$0.key] == $0.value }
    }
}
