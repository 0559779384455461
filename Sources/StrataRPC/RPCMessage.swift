/// A message that can cross the wire. StrataWire makes its protobuf-c backed types conform;
/// the RPC layer itself only ever sees bytes.
public protocol RPCMessage: Sendable {
    /// Decodes a message; throws `RPCError(.invalidArgument, …)` on malformed bytes.
    init(serializedBytes: [UInt8]) throws
    /// Encodes the message.
    func serializedBytes() -> [UInt8]
}
