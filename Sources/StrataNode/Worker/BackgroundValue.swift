import Foundation

/// A value computed on a thread of its own while the caller does something else (a worker
/// reads its index snapshots while its store recovers). `wait()` blocks until it is there.
final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    /// Written once by the work, read only after `finished` was signalled.
    private var value: Value?

    init(_ work: @escaping @Sendable () -> Value) {
        DispatchQueue.global(qos: .userInitiated).async {
            self.value = work()
            self.finished.signal()
        }
    }

    /// The value, once the work is done (any number of calls).
    func wait() -> Value {
        finished.wait()
        defer { finished.signal() }
        return value!
    }
}
