/// The bookkeeping of a server call's outgoing messages: gRPC core takes one send at a time,
/// so messages written while one is in flight wait here, and the completion of each send
/// (on the completion-queue thread) starts the next one.
///
/// A handler's `send` therefore returns as soon as its message is queued, instead of waiting
/// for gRPC to take it: the coordinator's answer to a query is a header, a message per
/// passage and a summary, and waiting for each meant a round trip through the queue thread
/// and back to the task pool per message. Back-pressure stays: a sender waits while more
/// than `byteLimit` bytes are queued (flow control holds the send in flight, so the queue
/// fills). The call's status goes out once every queued message has been sent (`whenDrained`).
///
/// Pure state, kept under the call's lock; the caller does what each step returns outside it.
struct ResponseQueue<Waiter> {
    /// Queued bytes above which a sender waits until sends have drained them.
    static var byteLimit: Int { 1 << 20 }

    /// A send is in flight (started, not yet completed).
    private(set) var sending = false
    /// A send failed (client gone, call cancelled): later sends are refused.
    private(set) var failed = false
    private var queued: [[UInt8]] = []
    private var head = 0
    private var queuedBytes = 0
    private var waiters: [Waiter] = []
    private var drained: (@Sendable () -> Void)?

    /// What `enqueue` asks the caller to do.
    enum Enqueued {
        /// Start sending this message now (nothing was in flight).
        case start([UInt8])
        /// Queued behind the send in flight; `wait`: the queue is over its limit, wait for room.
        case queued(wait: Bool)
        /// The call has failed; the message is dropped.
        case failed
    }

    /// What the completion of a send asks the caller to do.
    struct Next {
        /// The next message to start, if any was queued.
        var send: [UInt8]?
        /// Senders to wake (room again, or the call failed).
        var wake: [Waiter] = []
        /// The action `whenDrained` left, when nothing is left to send.
        var drained: (@Sendable () -> Void)?
    }

    var isIdle: Bool { !sending }

    mutating func enqueue(_ message: [UInt8]) -> Enqueued {
        if failed { return .failed }
        if !sending {
            sending = true
            return .start(message)
        }
        queued.append(message)
        queuedBytes += message.count
        return .queued(wait: queuedBytes > Self.byteLimit)
    }

    /// Registers a sender waiting for room; false when there is room already (or the call
    /// failed), so it must not wait.
    mutating func wait(_ waiter: Waiter) -> Bool {
        guard !failed, queuedBytes > Self.byteLimit else { return false }
        waiters.append(waiter)
        return true
    }

    /// The send in flight completed with `success`.
    mutating func completed(success: Bool) -> Next {
        var next = Next()
        if !success {
            failed = true
            queued = []
            head = 0
            queuedBytes = 0
        }
        if head < queued.count {
            let message = queued[head]
            head += 1
            queuedBytes -= message.count
            if head == queued.count {
                queued.removeAll(keepingCapacity: true)
                head = 0
            }
            next.send = message
        } else {
            sending = false
            next.drained = drained
            drained = nil
        }
        if failed || queuedBytes <= Self.byteLimit {
            next.wake = waiters
            waiters = []
        }
        return next
    }

    /// Runs `action` once every queued message has been sent (or the call failed): returns it
    /// when that is already so (the caller runs it), else keeps it for `completed`.
    mutating func whenDrained(_ action: @escaping @Sendable () -> Void) -> (@Sendable () -> Void)? {
        if !sending { return action }
        drained = action
        return nil
    }
}
