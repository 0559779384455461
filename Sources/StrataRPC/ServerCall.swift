import CStrataRPC

/// The server's side of one call as a handler's writer and request stream see it: gRPC core's
/// call (`CallHandle`) or a call made in this process (`InProcessCall`). Keeping handlers on
/// this narrow seam is what lets `InProcessChannel` run the very same `ServiceDefinition`s
/// without a socket.
protocol ServerCall: Sendable {
    /// Receives the next request message; `nil` at the end of the stream or when the call failed.
    func receiveMessage() async throws(RPCError) -> [UInt8]?
    /// Sends one response message (gRPC core: queues it behind the send in flight, see
    /// `ResponseQueue`); false when the call is gone (cancelled, client left).
    func sendResponse(_ bytes: [UInt8]) async throws(RPCError) -> Bool
    /// Time left before the client's deadline; `nil` when the client set none.
    var deadlineRemaining: Duration? { get }
    /// The caller as the transport authenticated it. Read once per call (`ServerContext.peer`).
    var peer: PeerIdentity { get }
}

extension CallHandle: ServerCall {
    var deadlineRemaining: Duration? {
        let micros = strata_call_deadline_remaining_us(raw)
        if micros == Int64.max { return nil }
        return .microseconds(max(0, micros))
    }

    var peer: PeerIdentity {
        var properties: [PeerIdentity.Property] = []
        for index in 0..<strata_call_auth_property_count(raw) {
            var length = 0
            guard let name = strata_call_auth_property_name(raw, index),
                  let value = strata_call_auth_property_value(raw, index, &length) else { continue }
            properties.append(PeerIdentity.Property(
                name: String(cString: name),
                value: String(decoding: UnsafeRawBufferPointer(start: value, count: length), as: UTF8.self)))
        }
        return PeerIdentity(authenticated: strata_call_peer_is_authenticated(raw) != 0,
                            identityPropertyName: strata_call_peer_identity_property(raw).map { String(cString: $0) },
                            address: String(cString: strata_call_peer_address(raw)), properties: properties)
    }
}
