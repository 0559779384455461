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

    /// Allocates a tag whose completion will run `handler`. The tag is the address of a
    /// retained box holding the handler (gRPC hands it back untouched), so registering and
    /// completing an operation take no lock and no table: a call runs several operations.
    func register(_ handler: @escaping Handler) -> UInt {
        UInt(bitPattern: Unmanaged.passRetained(HandlerBox(handler)).toOpaque())
    }

    /// Forgets a tag whose operation could not be started.
    func unregister(_ tag: UInt) {
        Self.box(tag).release()
    }

    private static func box(_ tag: UInt) -> Unmanaged<HandlerBox> {
        Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: tag)!)
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
                // gRPC completes every started operation exactly once, so each box is taken once.
                Self.box(UInt(event.tag)).takeRetainedValue().handler(event.success != 0)
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

/// A registered completion handler, kept alive by the tag until its operation completes.
private final class HandlerBox {
    let handler: CompletionQueue.Handler
    init(_ handler: @escaping CompletionQueue.Handler) { self.handler = handler }
}
