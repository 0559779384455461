import StrataCore

/// Why a control-plane operation failed, typed so that a coordinator can act on it: a
/// deposed leader stops acting, a conflict rereads, an unavailable store retries.
public struct ControlPlaneError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The write's leadership has ended (its key is gone or belongs to a later
        /// campaign): this process must stop acting as leader. Nothing was written.
        case notLeader
        /// A record was not at the expected revision (someone else wrote it). Nothing was written.
        case conflict
        /// The store cannot be reached (etcd down or without quorum). For a write, whether
        /// it was applied is unknown when `outcomeUnknown` is set.
        case unavailable
        /// A record is too large for the store (etcd refuses requests over
        /// `--max-request-bytes`).
        case tooLarge
        /// Stored data cannot be read (a file or key that is not what it should be).
        case corrupt
        /// A malformed request from the caller.
        case invalid
    }

    public var kind: Kind
    public var message: String
    /// For `.unavailable` writes: the write may have been applied.
    public var outcomeUnknown: Bool

    public init(_ kind: Kind, _ message: String, outcomeUnknown: Bool = false) {
        self.kind = kind
        self.message = message
        self.outcomeUnknown = outcomeUnknown
    }

    public var description: String { message }

    /// The error as it crosses Strata's module boundaries (and reaches clients).
    public var strataError: StrataError {
        switch kind {
        case .notLeader: StrataError(.unavailable, message, cause: self)
        case .conflict: StrataError(.aborted, message, cause: self)
        case .unavailable: StrataError(.unavailable, message, cause: self)
        case .tooLarge: StrataError(.resourceExhausted, message, cause: self)
        case .corrupt: StrataError(.dataLoss, message, cause: self)
        case .invalid: StrataError(.invalidArgument, message, cause: self)
        }
    }
}
