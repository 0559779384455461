import Synchronization

/// Runs a closure every interval on a task of its own until stopped.
final class TickerTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(every interval: Duration, _ body: @escaping @Sendable () async -> Void) {
        let started = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                await body()
            }
        }
        task.withLock { $0 = started }
    }

    func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
    }
}
