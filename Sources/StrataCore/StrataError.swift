/// The one error type that crosses module boundaries in Strata.
///
/// Modeled on grpc-swift 2's `RPCError`: an extensible code, a human-readable message that
/// names the offending field or resource, and an optional underlying cause. The RPC edge maps
/// the code to a gRPC status exactly once; nothing below it knows about gRPC.
public struct StrataError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is. Extensible: new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }

        /// The caller sent something malformed: wrong dimension, NaN, invalid UTF-8, bad name.
        public static let invalidArgument = Code("invalid argument")
        /// A namespace, document, slot or node does not exist.
        public static let notFound = Code("not found")
        /// The thing to create exists already.
        public static let alreadyExists = Code("already exists")
        /// A limit was hit: payload size, disk full, memory budget, rate.
        public static let resourceExhausted = Code("resource exhausted")
        /// The system is not in a state that allows the operation (e.g. still recovering).
        public static let failedPrecondition = Code("failed precondition")
        /// A value is outside the accepted range (budget beyond maximum, top-k too large).
        public static let outOfRange = Code("out of range")
        /// A dependency (a worker, the coordinator) cannot be reached right now; retry later.
        public static let unavailable = Code("unavailable")
        /// The caller's deadline passed before the work finished.
        public static let deadlineExceeded = Code("deadline exceeded")
        /// The operation was cancelled by the caller.
        public static let cancelled = Code("cancelled")
        /// Concurrent modification or an aborted transaction; retry may succeed.
        public static let aborted = Code("aborted")
        /// Stored data failed verification (checksum mismatch, torn record) and was not served.
        public static let dataLoss = Code("data loss")
        /// The operation is not implemented by this node or method.
        public static let unimplemented = Code("unimplemented")
        /// The caller did not prove who it is: no credential, or one nobody issued (or revoked).
        public static let unauthenticated = Code("unauthenticated")
        /// The caller is known but may not do this; the message names what it would need.
        public static let permissionDenied = Code("permission denied")
        /// A bug or an unexpected failure of the environment.
        public static let `internal` = Code("internal")

        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// The underlying error, if any. Not part of equality.
    public var cause: (any Error & Sendable)?
    /// Sent to the client as gRPC trailing metadata with the status (e.g. `strata-leader`), for
    /// programs to act on without reading the message. Not part of equality.
    public var metadata: [String: String]

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.init(code, message, cause: cause, metadata: [:])
    }

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil, metadata: [String: String]) {
        self.code = code
        self.message = message
        self.cause = cause
        self.metadata = metadata
    }

    public var description: String {
        if let cause { return "\(code): \(message) (cause: \(cause))" }
        return "\(code): \(message)"
    }

    public static func == (lhs: StrataError, rhs: StrataError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }
}

extension StrataError {
    public static func invalidArgument(_ message: String) -> StrataError { StrataError(.invalidArgument, message) }
    public static func notFound(_ message: String) -> StrataError { StrataError(.notFound, message) }
    public static func resourceExhausted(_ message: String) -> StrataError { StrataError(.resourceExhausted, message) }
    public static func dataLoss(_ message: String) -> StrataError { StrataError(.dataLoss, message) }
    public static func failedPrecondition(_ message: String) -> StrataError { StrataError(.failedPrecondition, message) }
}
