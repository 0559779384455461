/// The client half of a client-streaming call, whatever carries it.
public protocol RPCClientStream: Sendable {
    /// Sends one message; throws the call's final status when the server has already ended it.
    func send(_ message: [UInt8]) async throws(RPCError)
    /// Half-closes and waits for the answer.
    func finish() async throws(RPCError) -> [UInt8]
    /// Abandons the call; the server sees CANCELLED.
    func cancel()
}
