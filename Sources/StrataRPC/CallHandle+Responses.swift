import CStrataRPC

/// A server call's response messages, sent through its `ResponseQueue`: the handler queues,
/// the completion-queue thread starts each next send as the previous one completes.
extension CallHandle {
    /// Queues one response message; waits only while the queue is over its byte limit.
    /// False when the call is gone (a send failed: cancelled, client left).
    func sendResponse(_ bytes: [UInt8]) async -> Bool {
        switch responses.withLock({ $0.enqueue(bytes) }) {
        case .failed:
            return false
        case .start(let message):
            startResponse(message)
        case .queued(wait: false):
            break
        case .queued(wait: true):
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if !responses.withLock({ $0.wait(continuation) }) { continuation.resume() }
            }
        }
        return !responses.withLock { $0.failed }
    }

    /// Runs `action` (the call's status) once every queued response has been sent: at once
    /// when none is in flight, else on the queue thread when the last send completes.
    func afterResponses(_ action: @escaping @Sendable () -> Void) {
        responses.withLock { $0.whenDrained(action) }?()
    }

    /// Starts sending `message`; its completion starts the next queued one.
    private func startResponse(_ message: [UInt8]) {
        let tag = queue.register { [self] success in
            responseCompleted(success: success)
        }
        let started = message.withUnsafeBytes { strata_call_send_message(raw, $0.baseAddress, $0.count, tag) }
        if started != 0 {
            queue.unregister(tag)
            responseCompleted(success: false)
        }
    }

    private func responseCompleted(success: Bool) {
        let next = responses.withLock { $0.completed(success: success) }
        for waiter in next.wake { waiter.resume() }
        if let message = next.send { startResponse(message) }
        next.drained?()
    }
}
