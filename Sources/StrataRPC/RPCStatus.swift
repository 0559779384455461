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

    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
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
            self.init(Self.statusCode(for: error.code), error.message)
        case is CancellationError:
            self.init(.cancelled, "the call was cancelled")
        default:
            self.init(.internal, "internal error: \(error)")
        }
    }

    static func statusCode(for code: StrataError.Code) -> StatusCode {
        switch code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .resourceExhausted: .resourceExhausted
        case .failedPrecondition: .failedPrecondition
        case .outOfRange: .outOfRange
        case .unavailable: .unavailable
        case .deadlineExceeded: .deadlineExceeded
        case .cancelled: .cancelled
        case .aborted: .aborted
        case .dataLoss: .dataLoss
        case .unimplemented: .unimplemented
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        default: .internal
        }
    }
}
