import CStrataRPC
import Synchronization

/// The client half of a bidirectional-streaming call: requests go out with `send` while
/// responses come in through `responses`, independently (etcd's LeaseKeepAlive and Watch
/// are such calls).
///
/// Rules, as gRPC core sets them: at most one `send` in flight (a second concurrent one is
/// refused, not queued), and one consumer of `responses`. Dropping the last reference to
/// the call, or cancelling the task that iterates `responses`, cancels the call, so the
/// server learns at once that nobody listens.
public final class BidirectionalStreamingCall: Sendable {
    let call: CallHandle
    let method: String
    let status: StatusWaiter
    private let sending = Atomic<Bool>(false)

    init(call: CallHandle, method: String) {
        self.call = call
        self.method = method
        status = StatusWaiter(call)
    }

    deinit {
        call.cancel()
    }

    /// Sends one message; waits until gRPC has taken it (flow control is the back-pressure).
    /// Throws the call's final status when the server has already ended the call.
    public func send(_ message: [UInt8]) async throws(RPCError) {
        guard sending.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw RPCError(.failedPrecondition, "\(method): a send is already in flight on this call; await it first")
        }
        defer { sending.store(false, ordering: .releasing) }
        guard try await call.sendMessage(message) else {
            throw await status.failure(or: RPCError(.unavailable, "the server closed \(method)"))
        }
    }

    /// Half-closes: the server sees the end of the request stream; responses keep coming
    /// until the server ends the call.
    public func closeSend() async throws(RPCError) {
        _ = try await call.perform("close") { strata_call_send_close_from_client($0, $1) }
    }

    /// Abandons the call; the server sees CANCELLED and `responses` ends with CANCELLED.
    public func cancel() { call.cancel() }

    /// The response messages in order. The sequence ends when the server ends the call with
    /// OK, and throws its status otherwise.
    public var responses: Responses { Responses(call: self) }

    /// The responses of one call, received one at a time as the consumer asks (a slow
    /// consumer slows the server through flow control instead of buffering without bound).
    public struct Responses: AsyncSequence, Sendable {
        public typealias Element = [UInt8]
        let call: BidirectionalStreamingCall

        public struct AsyncIterator: AsyncIteratorProtocol {
            let call: BidirectionalStreamingCall
            var done = false

            public mutating func next() async throws -> [UInt8]? {
                guard !done else { return nil }
                let handle = call.call
                let message = try await withTaskCancellationHandler {
                    try await handle.receiveMessage()
                } onCancel: {
                    handle.cancel()
                }
                if let message { return message }
                done = true
                if let error = await call.status.wait() { throw error }
                return nil
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }
    }
}
