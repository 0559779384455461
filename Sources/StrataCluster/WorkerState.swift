/// Liveness of a worker, driven by `FailureDetector`.
///
/// - `live`: heartbeating. Eligible for placement, serves queries, is a fetch source.
/// - `suspect`: silent for `suspectAfter`. Still counted as a replica (no data moves on a
///   suspicion, which would churn on every GC pause), but queries prefer live replicas.
/// - `dead`: silent for `deadAfter`. Its slots are re-replicated elsewhere; its data is
///   remembered so that it can catch up by delta if it comes back.
public enum WorkerState: String, Sendable, Codable, Hashable, CaseIterable {
    case live
    case suspect
    case dead
}
