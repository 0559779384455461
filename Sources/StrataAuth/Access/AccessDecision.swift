import StrataCore

/// The answer to "may this call go ahead?": allowed for a known caller (`Caller`: a client
/// token's grant, or a node), or refused with the gRPC code the caller gets and a message
/// that says what is missing (never the secret).
public enum AuthDecision<Caller: Hashable & Sendable>: Hashable, Sendable {
    case allowed(Caller)
    /// No credential, a malformed one, or one nobody issued or that was revoked.
    case unauthenticated(String)
    /// A known caller without the right to make this call; the message names what it lacks.
    case permissionDenied(String)

    /// The error to answer with, nil when allowed.
    public var error: StrataError? {
        switch self {
        case .allowed: nil
        case .unauthenticated(let message): StrataError(.unauthenticated, message)
        case .permissionDenied(let message): StrataError(.permissionDenied, message)
        }
    }

    /// The caller when allowed; throws the refusal otherwise.
    public func caller() throws(StrataError) -> Caller {
        switch self {
        case .allowed(let caller): return caller
        case .unauthenticated(let message): throw StrataError(.unauthenticated, message)
        case .permissionDenied(let message): throw StrataError(.permissionDenied, message)
        }
    }
}

/// A client call's decision (`Authorizer`).
public typealias AccessDecision = AuthDecision<AccessGrant>
