import StrataCore

/// Names a stored chunk: its namespace and the XXH3-128 hash of its text.
public struct ChunkRef: Hashable, Sendable, CustomStringConvertible {
    public var namespace: String
    public var hash: ContentHash

    public init(namespace: String, hash: ContentHash) {
        self.namespace = namespace
        self.hash = hash
    }

    /// The key of this chunk in the memory tiers.
    public var cacheKey: ContentHash { ContentHash.cacheKey(namespace: namespace, text: hash) }

    public var description: String { "[\(namespace)]/\(hash)" }
}
