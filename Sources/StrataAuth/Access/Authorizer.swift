/// Decides client calls from their `authorization` metadata and the token registry.
///
/// | credential | registry | decision |
/// |---|---|---|
/// | no `authorization` metadata | any | UNAUTHENTICATED ("send authorization: Bearer …") |
/// | not `Bearer <token>`, or not a Strata token | any | UNAUTHENTICATED |
/// | a token whose hash is not registered, or is revoked | any | UNAUTHENTICATED ("unknown or revoked token") |
/// | a registered token without a granting scope | any | PERMISSION_DENIED naming the scope needed |
/// | a registered token with a granting scope | any | allowed, with its name and scopes |
///
/// A value: the coordinator swaps in a new one when tokens change, so a revocation takes effect
/// on the next call without a restart.
public struct Authorizer: Sendable {
    public let registry: TokenRegistry

    public init(registry: TokenRegistry) {
        self.registry = registry
    }

    /// The decision for a call that needs `permission`, given its `authorization` metadata value.
    public func decide(authorization: String?, required permission: Permission) -> AccessDecision {
        guard let authorization else {
            return .unauthenticated("this call needs a token: send metadata \"authorization: Bearer <token>\"")
        }
        guard let presented = BearerCredential.token(fromAuthorization: authorization) else {
            return .unauthenticated("the authorization metadata must be \"Bearer <token>\"")
        }
        guard let secret = TokenSecret(parsing: presented), let record = registry.authenticate(secret) else {
            return .unauthenticated("unknown or revoked token")
        }
        let grant = AccessGrant(tokenName: record.name, scopes: record.scopes)
        guard grant.allows(permission) else {
            return .permissionDenied(Self.denial(record, permission))
        }
        return .allowed(grant)
    }

    static func denial(_ record: TokenRecord, _ permission: Permission) -> String {
        let needed = permission.grantingScopes.map(\.description)
        let alternatives = needed.count > 1 ? " (or " + needed.dropFirst().joined(separator: ", ") + ")" : ""
        let held = record.scopes.map(\.description).joined(separator: ",")
        return "token \"\(record.name)\" needs scope \(needed[0])\(alternatives); it has \(held)"
    }
}
