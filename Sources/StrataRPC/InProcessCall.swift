import Synchronization

/// The server's side of a call made through `InProcessChannel`: request messages come from a
/// queue the client fills (one waiting receive at a time, as with gRPC), response messages go
/// to a closure that hands them to the client.
final class InProcessCall: ServerCall {
    private struct Inbound {
        var messages: [[UInt8]] = []
        var closed = false
        var waiter: CheckedContinuation<[UInt8]?, Never>?
    }

    let deadline: ContinuousClock.Instant?
    let peer: PeerIdentity
    private let inbound = Mutex(Inbound())
    private let deliver: @Sendable ([UInt8]) -> Bool
    private let expiredFlag = Atomic<Bool>(false)

    /// `deliver` takes one response message; false when the client is gone.
    init(deadline: ContinuousClock.Instant?, peer: PeerIdentity,
         deliver: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }) {
        self.deadline = deadline
        self.peer = peer
        self.deliver = deliver
    }

    func receiveMessage() async throws(RPCError) -> [UInt8]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
            let ready: [UInt8]?? = inbound.withLock { state in
                if !state.messages.isEmpty { return .some(state.messages.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func sendResponse(_ bytes: [UInt8]) async throws(RPCError) -> Bool { deliver(bytes) }

    var deadlineRemaining: Duration? {
        deadline.map { max(.zero, $0 - ContinuousClock.now) }
    }

    /// Client side: queues one request message; false once the request stream is closed
    /// (half-closed by the client, or the handler has finished).
    func push(_ message: [UInt8]) -> Bool {
        let (accepted, waiter) = inbound.withLock { state -> (Bool, CheckedContinuation<[UInt8]?, Never>?) in
            guard !state.closed else { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.messages.append(message)
            return (true, nil)
        }
        waiter?.resume(returning: message)
        return accepted
    }

    /// Ends the request stream: a waiting receive gets `nil`.
    func closeInbound() {
        let waiter = inbound.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether the deadline passed before the handler finished.
    var expired: Bool { expiredFlag.load(ordering: .acquiring) }

    func expire() { expiredFlag.store(true, ordering: .releasing) }
}
