import StrataCore

/// Cache keys for runs of chunks from one namespace, hashing the namespace once per run.
///
/// Flushes and compactions walk thousands of chunks in document order, nearly always of the
/// same namespace; hashing the namespace for each of them was a visible part of a flush.
struct NamespaceKeyCache {
    private var namespace: String?
    private var namespaceHash = ContentHash(high: 0, low: 0)

    /// `ContentHash.cacheKey(namespace:text:)`, with the namespace's hash reused while the
    /// namespace stays the same.
    mutating func key(namespace: String, text: ContentHash) -> ContentHash {
        if namespace != self.namespace {
            self.namespace = namespace
            namespaceHash = ContentHash.of(namespace)
        }
        return ContentHash.cacheKey(namespaceHash: namespaceHash, text: text)
    }
}
