/// What one call needs, as the node that serves it decides (the coordinator maps each of its
/// methods to one of these; see docs/security.md, "Who may call what").
public enum Permission: Hashable, Sendable, CustomStringConvertible {
    /// Cluster-wide operations: create or drop a namespace, manage tokens.
    case admin
    /// Read cluster and node status and `/metrics`: any valid token.
    case observe
    /// Read one namespace's data (query, fetch chunks).
    case read(namespace: String)
    /// Change one namespace's data (ingest, delete documents).
    case write(namespace: String)

    public var description: String {
        switch self {
        case .admin: "admin"
        case .observe: "observe"
        case .read(let namespace): "read:\(namespace)"
        case .write(let namespace): "write:\(namespace)"
        }
    }

    /// The scopes that grant it, the narrowest first (what an error tells the caller to ask for).
    /// Every scope grants `observe`; `metrics` is the one to ask for.
    public var grantingScopes: [Scope] {
        switch self {
        case .admin: [.admin]
        case .observe: [.metrics]
        case .read(let namespace): [.read(.named(namespace)), .write(.named(namespace)), .read(.all), .write(.all), .admin]
        case .write(let namespace): [.write(.named(namespace)), .write(.all), .admin]
        }
    }
}

extension Scope {
    /// Whether this scope alone grants `permission`. `admin` grants everything, `write:NS`
    /// grants `read:NS` (a writer reads what it wrote: ingest pipelines check their work), and
    /// every scope grants `observe`.
    public func grants(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, _): true
        case (_, .observe): true
        case (.write(let selector), .write(let namespace)), (.write(let selector), .read(let namespace)),
             (.read(let selector), .read(let namespace)):
            selector.covers(namespace)
        default: false
        }
    }
}
