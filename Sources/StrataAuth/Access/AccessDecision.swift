import StrataCore

/// The answer to "may this call go ahead?": allowed for a known caller, or refused with the
/// gRPC code the caller gets and a message that says what is missing (never the secret).
public enum AccessDecision: Hashable, Sendable {
    case allowed(AccessGrant)
    /// No credential, a malformed one, or one nobody issued or that was revoked.
    case unauthenticated(String)
    /// A known caller without the scope the call needs; the message names that scope.
    case permissionDenied(String)

    /// The error to answer with, nil when allowed.
    public var error: StrataError? {
        switch self {
        case .allowed: nil
        case .unauthenticated(let message): StrataError(.unauthenticated, message)
        case .permissionDenied(let message): StrataError(.permissionDenied, message)
        }
    }

    /// The grant when allowed; throws the refusal otherwise.
    public func grant() throws(StrataError) -> AccessGrant {
        switch self {
        case .allowed(let grant): return grant
        case .unauthenticated(let message): throw StrataError(.unauthenticated, message)
        case .permissionDenied(let message): throw StrataError(.permissionDenied, message)
        }
    }
}
