import CStrataRPC
import Synchronization

/// The client side of a server-streaming call over gRPC core: the request goes out as one
/// batch, the status is awaited from the start, and responses are read ahead on the
/// completion-queue thread, up to `depth` messages, into a buffer the consumer takes from.
///
/// A coordinator's answer is a burst of small messages (header, passages, summary): reading
/// each only when the consumer asked for it cost a round trip through the queue thread and
/// back to the task pool per message, and two tasks per call (the status and the reads).
/// The bound keeps flow control: a consumer that stops taking stops the reads, so the server
/// is slowed instead of the client buffering without limit.
///
/// Owned by the stream's iterator: when it goes (the consumer stopped early) the call is
/// cancelled, so the server learns at once that nobody listens.
final class ServerStreamReader: Sendable {
    /// Messages read ahead of the consumer.
    static let depth = 16

    private struct State {
        var buffered: [[UInt8]] = []
        var head = 0
        /// A receive is in flight.
        var receiving = false
        /// The server's stream has ended (or a receive failed).
        var ended = false
        /// The call's final status once received: nil inside is OK.
        var status: RPCError??
        var sendFailed = false
        /// The end was handed to the consumer: later calls return nil.
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?

        var hasMessage: Bool { head < buffered.count }

        mutating func take() -> [UInt8] {
            let message = buffered[head]
            head += 1
            if head == buffered.count {
                buffered.removeAll(keepingCapacity: true)
                head = 0
            }
            return message
        }

        /// Whether the consumer can go on without waiting.
        var ready: Bool { hasMessage || (ended && status != nil) }
    }

    private let call: CallHandle
    private let target: String
    /// Shared with the completion handlers, which must not keep the reader itself alive.
    private let stateBox: StateBox

    /// The state the completion handlers update (they outlive an abandoned reader).
    private final class StateBox: Sendable {
        let state = Mutex(State())
    }

    /// Starts the call: sends the request, asks for the status and the first response.
    init(call: CallHandle, request: [UInt8], target: String) {
        self.call = call
        self.target = target
        stateBox = StateBox()
        let box = stateBox
        let sendTag = call.queue.register { success in
            if !success { box.state.withLock { $0.sendFailed = true } }
        }
        let sent = request.withUnsafeBytes { strata_call_start_server_streaming(call.raw, $0.baseAddress, $0.count, sendTag) }
        if sent != 0 {
            // Nothing was sent, so no status would ever come: the call ends here.
            call.queue.unregister(sendTag)
            box.state.withLock { state in
                state.ended = true
                state.status = .some(RPCError(.internal, "could not start the call to \(target) (grpc_call_error \(sent))"))
            }
            call.cancel()
            return
        }
        // The status first: gRPC core holds messages back until the initial metadata is asked
        // for, which this batch does.
        let statusTag = call.queue.register { [call] _ in
            let status = call.clientStatus()
            Self.wake(box) { $0.status = .some(status) }
        }
        if strata_call_recv_status_on_client(call.raw, statusTag) != 0 {
            call.queue.unregister(statusTag)
            box.state.withLock { $0.status = .some(RPCError(.internal, "could not start receiving the status of the call")) }
        }
        box.state.withLock { $0.receiving = true }
        Self.receive(call, box)
    }

    deinit {
        // Harmless on a call that has ended; an abandoned one is cancelled.
        call.cancel()
    }

    /// Starts one receive; its completion buffers the message and reads on while below `depth`.
    private static func receive(_ call: CallHandle, _ box: StateBox) {
        let tag = call.queue.register { success in
            let message = success ? call.takeReceived() : nil
            let again = wake(box) { state -> Bool in
                guard let message else {
                    state.ended = true
                    state.receiving = false
                    return false
                }
                state.buffered.append(message)
                let again = state.buffered.count - state.head < depth
                state.receiving = again
                return again
            }
            if again { receive(call, box) }
        }
        if strata_call_recv_message(call.raw, tag) != 0 {
            call.queue.unregister(tag)
            wake(box) { state in
                state.ended = true
                state.receiving = false
            }
        }
    }

    /// Applies `change` and resumes a consumer waiting for it.
    @discardableResult
    private static func wake<T>(_ box: StateBox, _ change: (inout State) -> T) -> T {
        let (result, waiter) = box.state.withLock { state -> (T, CheckedContinuation<Void, Never>?) in
            let result = change(&state)
            guard state.ready, let waiter = state.waiter else { return (result, nil) }
            state.waiter = nil
            return (result, waiter)
        }
        waiter?.resume()
        return result
    }

    /// The next response; nil at the end of an OK call; throws the status otherwise.
    func next() async throws(RPCError) -> [UInt8]? {
        let box = stateBox
        while true {
            enum Step { case message([UInt8], readOn: Bool), end(RPCError?, sendFailed: Bool), done, wait }
            let step = box.state.withLock { state -> Step in
                if state.finished { return .done }
                if state.hasMessage {
                    let message = state.take()
                    let readOn = !state.receiving && !state.ended
                    if readOn { state.receiving = true }
                    return .message(message, readOn: readOn)
                }
                if state.ended, let status = state.status {
                    state.finished = true
                    return .end(status, sendFailed: state.sendFailed)
                }
                return .wait
            }
            switch step {
            case .message(let message, let readOn):
                if readOn { Self.receive(call, box) }
                return message
            case .end(let status, let sendFailed):
                if let status { throw status }
                if sendFailed { throw RPCError(.unavailable, "could not send the request to \(target)") }
                return nil
            case .done:
                return nil
            case .wait:
                let call = self.call
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let now = box.state.withLock { state -> Bool in
                            if state.ready { return true }
                            state.waiter = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    // The call ends with CANCELLED at once; the waiter is woken by its status.
                    call.cancel()
                }
            }
        }
    }
}
