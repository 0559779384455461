/// An authenticated caller: the token's name (for logs and audit; never the secret) and its
/// scopes. Handlers that answer with several namespaces (ListNamespaces) filter with it.
public struct AccessGrant: Hashable, Sendable {
    public let tokenName: String
    public let scopes: [Scope]

    public init(tokenName: String, scopes: [Scope]) {
        self.tokenName = tokenName
        self.scopes = scopes
    }

    public func allows(_ permission: Permission) -> Bool {
        scopes.contains { $0.grants(permission) }
    }

    /// Whether the caller may see that `namespace` exists and read it.
    public func canRead(_ namespace: String) -> Bool { allows(.read(namespace: namespace)) }
}
