extension RPCChannel {
    /// Opens a bidirectional-streaming call: send requests and read responses independently
    /// (`BidirectionalStreamingCall`).
    public func bidirectionalStreaming(_ method: String, options: CallOptions = .default) throws(RPCError) -> BidirectionalStreamingCall {
        BidirectionalStreamingCall(call: CallHandle(raw: try makeCall(method, on: queue.raw, options), queue: queue, owner: self), method: method)
    }
}
