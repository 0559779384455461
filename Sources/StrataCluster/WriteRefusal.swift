import StrataCore

/// What a client is told when a replicated write was not acknowledged (fewer than W serving
/// replicas made it durable), from the replicas' own errors, decided by their codes:
///
/// | the replicas answered | the client gets |
/// |---|---|
/// | one of them RESOURCE_EXHAUSTED (a full disk) | RESOURCE_EXHAUSTED naming that worker: retrying will not help until space is freed |
/// | every one INVALID_ARGUMENT | INVALID_ARGUMENT with the first message: the write itself is bad |
/// | anything else (down, partitioned, behind) | UNAVAILABLE with each worker's error: retry |
///
/// Worker messages are relayed without file system paths (`PathRedaction`).
public enum WriteRefusal {
    public struct Failure: Sendable, Equatable {
        public var worker: WorkerID
        public var error: StrataError

        public init(worker: WorkerID, error: StrataError) {
            self.worker = worker
            self.error = error
        }
    }

    public static func error(slot: Int, acknowledged: Int, required: Int, failures: [Failure]) -> StrataError {
        let sorted = failures.sorted { $0.worker < $1.worker }
        if let full = sorted.first(where: { $0.error.code == .resourceExhausted }) {
            return StrataError(.resourceExhausted, "slot \(slot): worker \(full.worker) cannot store the write: "
                + PathRedaction.redact(full.error.message))
        }
        if let first = sorted.first, sorted.allSatisfy({ $0.error.code == .invalidArgument }) {
            return StrataError(.invalidArgument, PathRedaction.redact(first.error.message))
        }
        let reasons = sorted.map { "\($0.worker): \($0.error.code): \(PathRedaction.redact($0.error.message))" }
        return StrataError(.unavailable, "slot \(slot): \(acknowledged) of \(required) required replicas acknowledged"
            + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"))
    }
}
