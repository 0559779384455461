/// Restricts a search to chunks whose document id starts with a prefix and whose metadata
/// holds every given key with exactly the given value. The empty filter admits everything.
public struct SearchFilter: Sendable, Equatable, Codable {
    public var documentPrefix: String?
    public var metadataEquals: [String: String]

    public init(documentPrefix: String? = nil, metadataEquals: [String: String] = [:]) {
        self.documentPrefix = documentPrefix
        self.metadataEquals = metadataEquals
    }

    public static let none = SearchFilter()

    public var isEmpty: Bool { (documentPrefix ?? "").isEmpty && metadataEquals.isEmpty }

    /// Whether a chunk with this document id and metadata passes.
    public func admits(documentID: String, metadata: [String: String]) -> Bool {
        if let prefix = documentPrefix, !prefix.isEmpty, !documentID.hasPrefix(prefix) { return false }
        for (key, value) in metadataEquals where metadata[key] != value { return false }
        return true
    }
}
