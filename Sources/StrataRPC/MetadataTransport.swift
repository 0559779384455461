/// A transport that adds the same metadata to every call it makes (a node's cluster join
/// secret on every node-to-node call), then hands the call to the transport it wraps.
public struct MetadataTransport: RPCTransport {
    public let wrapped: any RPCTransport
    public let metadata: [(key: String, value: String)]

    public init(_ wrapped: any RPCTransport, adding metadata: [(key: String, value: String)]) {
        self.wrapped = wrapped
        self.metadata = metadata
    }

    public var target: String { wrapped.target }

    public func unary(_ method: String, _ request: [UInt8], options: CallOptions) async throws(RPCError) -> [UInt8] {
        try await wrapped.unary(method, request, options: adding(options))
    }

    public func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        wrapped.serverStreaming(method, request, options: adding(options))
    }

    public func openClientStream(_ method: String, options: CallOptions) throws(RPCError) -> any RPCClientStream {
        try wrapped.openClientStream(method, options: adding(options))
    }

    private func adding(_ options: CallOptions) -> CallOptions {
        var options = options
        options.metadata += metadata.filter { added in !options.metadata.contains { $0.key == added.key } }
        return options
    }
}
