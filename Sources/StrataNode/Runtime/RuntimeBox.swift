import StrataCore

/// Lets a handler registered before the node exists reach it once it does (weakly: the node
/// owns the server that owns the handlers).
final class RuntimeBox: @unchecked Sendable {
    weak var worker: WorkerNode?
    weak var coordinator: CoordinatorNode?

    /// The worker, or UNAVAILABLE while it is being torn down.
    func liveWorker() throws(StrataError) -> WorkerNode {
        guard let worker else { throw StrataError(.unavailable, "the worker is shutting down") }
        return worker
    }

    /// The coordinator, or UNAVAILABLE while it is being torn down.
    func liveCoordinator() throws(StrataError) -> CoordinatorNode {
        guard let coordinator else { throw StrataError(.unavailable, "the coordinator is shutting down") }
        return coordinator
    }
}
