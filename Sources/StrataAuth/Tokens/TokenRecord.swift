/// One issued client token as the coordinator keeps it: a name for people and logs, the hash
/// of the secret, what it may do, and when it was created and revoked (times in Unix seconds).
public struct TokenRecord: Hashable, Sendable {
    public let name: String
    public let hash: TokenHash
    public let scopes: [Scope]
    public let createdUnix: Int64
    /// Set when revoked; a revoked record stays for the audit trail (`strata token list`).
    public var revokedUnix: Int64?

    public init(name: String, hash: TokenHash, scopes: [Scope], createdUnix: Int64, revokedUnix: Int64? = nil) {
        self.name = name
        self.hash = hash
        self.scopes = scopes
        self.createdUnix = createdUnix
        self.revokedUnix = revokedUnix
    }

    public var isActive: Bool { revokedUnix == nil }
}
