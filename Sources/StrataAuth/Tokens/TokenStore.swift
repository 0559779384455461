import StrataCore

/// Where the coordinator keeps its `TokenRegistry`: a JSON file today (`TokenFileStore`),
/// the cluster's shared metadata store later. Both operations are whole-registry and atomic.
public protocol TokenStore: Sendable {
    /// The stored registry; `TokenRegistry.empty` when nothing was stored yet.
    func load() throws(StrataError) -> TokenRegistry
    /// Replaces the stored registry with `registry`. A store refuses (`aborted`) a registry
    /// whose revision is not above the stored one: two writers never silently undo each other.
    func save(_ registry: TokenRegistry) throws(StrataError)
}
