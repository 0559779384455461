import StrataRPC

/// Test double: a client stream whose final answer may be lost on the way back.
struct LinkClientStream: RPCClientStream {
    let inner: any RPCClientStream
    let dropReply: Bool
    let lost: RPCError

    func send(_ message: [UInt8]) async throws(RPCError) { try await inner.send(message) }

    func finish() async throws(RPCError) -> [UInt8] {
        let answer = try await inner.finish()
        if dropReply { throw lost }
        return answer
    }

    func cancel() { inner.cancel() }
}
