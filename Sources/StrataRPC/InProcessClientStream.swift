/// The client half of a client-streaming call made through `InProcessChannel`.
final class InProcessClientStream: RPCClientStream {
    private let method: String
    private let call: InProcessCall
    private let context: ServerContext
    private let task: Task<[UInt8], any Error>

    init(method: String, call: InProcessCall, context: ServerContext, task: Task<[UInt8], any Error>) {
        self.method = method
        self.call = call
        self.context = context
        self.task = task
    }

    func send(_ message: [UInt8]) async throws(RPCError) {
        guard call.push(message) else {
            // The handler has answered already: its status is the reason (an OK answer to a
            // message never read is still a closed call for the sender).
            if case .failure(let error) = await task.result { throw RPCError(mapping: error) }
            throw RPCError(.unavailable, "the server closed \(method)")
        }
    }

    func finish() async throws(RPCError) -> [UInt8] {
        call.closeInbound()
        switch await task.result {
        case .success(let response): return response
        case .failure(let error): throw RPCError(mapping: error)
        }
    }

    func cancel() {
        context.markCancelled()
        call.closeInbound()
        task.cancel()
    }
}
