import CStrataRPC
import Foundation
import Synchronization

/// A gRPC completion queue with the one thread that polls it.
///
/// Every operation started on a call bound to this queue gets a tag from `register(_:)`; when
/// the operation completes, the polling thread runs the registered handler once with the
/// operation's success flag. Handlers must be quick (they resume continuations), because they
/// run on the polling thread.
final class CompletionQueue: @unchecked Sendable {
    typealias Handler = @Sendable (Bool) -> Void

    /// The C queue. Owned here; destroyed in deinit after the thread has drained it.
    let raw: OpaquePointer
    private let handlers = Mutex<[UInt: Handler]>([:])
    private let nextTag = Atomic<UInt>(1)
    private let finished = DispatchSemaphore(value: 0)
    private let name: String

    init(name: String) {
        raw = strata_cq_create_next()
        self.name = name
    }

    /// Starts the polling thread. `onStart` runs on it before the first poll: servers issue
    /// their first request for a call from there, so its completion can never race the
    /// bookkeeping of the request itself.
    func start(onStart: (@Sendable () -> Void)? = nil) {
        let thread = Thread { [self] in self.poll(onStart) }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Allocates a tag whose completion will run `handler`.
    func register(_ handler: @escaping Handler) -> UInt {
        let tag = nextTag.wrappingAdd(1, ordering: .relaxed).oldValue
        handlers.withLock { $0[tag] = handler }
        return tag
    }

    /// Forgets a tag whose operation could not be started.
    func unregister(_ tag: UInt) {
        _ = handlers.withLock { $0.removeValue(forKey: tag) }
    }

    /// Shuts the queue down and waits for the polling thread to drain it and exit.
    func shutdownAndJoin() {
        strata_cq_shutdown(raw)
        finished.wait()
    }

    private func poll(_ onStart: (@Sendable () -> Void)?) {
        onStart?()
        while true {
            let event = strata_cq_next(raw, -1)
            switch event.type {
            case STRATA_EVENT_COMPLETE:
                let handler = handlers.withLock { $0.removeValue(forKey: UInt(event.tag)) }
                handler?(event.success != 0)
            case STRATA_EVENT_SHUTDOWN:
                finished.signal()
                return
            default:
                continue
            }
        }
    }

    deinit {
        strata_cq_destroy(raw)
    }
}
