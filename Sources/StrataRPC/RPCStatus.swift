import StrataCore

/// gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
public enum StatusCode: Int32, Sendable, CustomStringConvertible {
    case ok = 0, cancelled, unknown, invalidArgument, deadlineExceeded, notFound, alreadyExists,
        permissionDenied, resourceExhausted, failedPrecondition, aborted, outOfRange, unimplemented,
        `internal`, unavailable, dataLoss, unauthenticated

    public var description: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }
}

/// A non-OK gRPC status, as thrown by clients and by handlers.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    /// The status's trailing metadata (sent by a handler, received by a client). A status a
    /// Strata server's handler produced always carries `answeredKey`; one made by gRPC on the
    /// client's side (the server unreachable, the connection lost) does not.
    public var metadata: [String: String]

    /// The trailer every status sent by a Strata server's handler carries: the server was
    /// reached and answered (as opposed to a transport failure).
    public static let answeredKey = "strata-answered"

    public init(_ code: StatusCode, _ message: String, metadata: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    /// Whether a Strata server's handler sent this status (see `answeredKey`).
    public var answeredByServer: Bool { metadata[Self.answeredKey] != nil }

    /// Code and message; the trailers are not part of equality (as `StrataError`'s are not).
    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String { "\(code): \(message)" }
}

extension RPCError {
    /// Maps any error a handler throws to the status sent to the client. This is the one
    /// place where Strata's error codes meet gRPC's.
    public init(mapping error: any Error) {
        switch error {
        case let error as RPCError:
            self = error
        case let error as StrataError:
            self.init(Self.statusCode(for: error.code), error.message, metadata: error.metadata)
        case is CancellationError:
            self.init(.cancelled, "the call was cancelled")
        default:
            self.init(.internal, "internal error: \(error)")
        }
    }

    /// Strata's codes and gRPC's, in both directions; the rest of either side is INTERNAL.
    static let codes: [(strata: StrataError.Code, status: StatusCode)] = [
        (.invalidArgument, .invalidArgument), (.notFound, .notFound), (.alreadyExists, .alreadyExists),
        (.resourceExhausted, .resourceExhausted), (.failedPrecondition, .failedPrecondition), (.outOfRange, .outOfRange),
        (.unavailable, .unavailable), (.deadlineExceeded, .deadlineExceeded), (.cancelled, .cancelled), (.aborted, .aborted),
        (.dataLoss, .dataLoss), (.unimplemented, .unimplemented),
        (.unauthenticated, .unauthenticated), (.permissionDenied, .permissionDenied),
    ]

    static func statusCode(for code: StrataError.Code) -> StatusCode {
        codes.first { $0.strata == code }?.status ?? .internal
    }
}

extension StrataError {
    /// The error another node answered with, as a `StrataError` with the matching code, so a
    /// node that relays it decides by code rather than by the message's text. Statuses with no
    /// Strata code of their own (UNKNOWN, ...) become `internal`; any other
    /// error (a transport failure) becomes `unavailable`.
    public init(relaying error: any Error) {
        switch error {
        case let error as StrataError:
            self = error
        case let error as RPCError:
            let code = RPCError.codes.first { $0.status == error.code }?.strata ?? .internal
            self.init(code, error.message, cause: error, metadata: error.metadata.filter { $0.key != RPCError.answeredKey })
        default:
            self.init(.unavailable, "\(error)")
        }
    }
}
