import StrataRPC

/// Why a call to etcd failed, in the terms a caller decides on: retry elsewhere, find out
/// what happened, or give up.
public struct EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No endpoint answered (each refused, timed out or had no leader). Nothing was applied.
        case unavailable
        /// A write failed after it may have reached etcd (connection lost or deadline passed
        /// mid-call): it may or may not have been applied. Read before deciding.
        case outcomeUnknown
        /// etcd answered with an error status (a bad request, a missing lease, a request too
        /// large); `status` has its code and message.
        case refused
        /// etcd's answer could not be decoded.
        case malformedResponse
    }

    public var kind: Kind
    public var message: String
    /// The gRPC status behind it, when there was one.
    public var status: RPCError?

    public init(_ kind: Kind, _ message: String, status: RPCError? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
