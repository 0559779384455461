/// A way to call the methods of one server with serialized messages: gRPC core (`RPCChannel`)
/// in production, or `InProcessChannel`, which runs the server's handlers in this process.
///
/// Nodes reach each other only through this protocol (given an address, a connector hands
/// them one), so a simulation test can put a whole cluster in one process and decide what
/// each call meets on the way -- a node that is down, a partition, a lost reply -- while the
/// nodes run exactly the code they run in production.
public protocol RPCTransport: Sendable {
    /// The address this transport reaches ("host:port").
    var target: String { get }

    /// Calls a unary method; throws the call's status when it is not OK.
    func unary(_ method: String, _ request: [UInt8], options: CallOptions) async throws(RPCError) -> [UInt8]

    /// Calls a server-streaming method; the stream yields each response message and throws
    /// the call's status if it is not OK. A consumer that stops early cancels the call.
    func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions) -> AsyncThrowingStream<[UInt8], any Error>

    /// Opens a client-streaming call: send messages, then `finish()` for the single answer.
    func openClientStream(_ method: String, options: CallOptions) throws(RPCError) -> any RPCClientStream
}
