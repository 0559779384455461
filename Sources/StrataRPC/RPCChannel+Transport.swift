/// gRPC core is the production `RPCTransport`.
extension RPCChannel: RPCTransport {
    public func openClientStream(_ method: String, options: CallOptions) throws(RPCError) -> any RPCClientStream {
        try clientStreaming(method, options: options)
    }
}

extension ClientStreamingCall: RPCClientStream {}
