import Dispatch

/// Runs `body` on one of dispatch's global threads and waits for it without holding a thread
/// of Swift's cooperative pool.
///
/// The pool is as wide as the cores (two on the machines this runs on), and a node's
/// heartbeats, failure-detector ticks, /metrics and queries all need one of its threads. Work
/// that holds a thread for long -- seconds of CPU (chunking and counting a large ingest batch)
/// or a wait on a lock another handler holds (a worker's slot write lock) -- goes here, so
/// those keep being served: dispatch's threads share the cores with the pool's instead of
/// taking its places.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result { try body() })
        }
    }
}
