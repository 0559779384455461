import StrataRPC

/// One of etcd's bidirectional streams (LeaseKeepAlive, Watch) on one endpoint, typed.
/// One sender at a time and one reader of `responses`; `cancel()` (or dropping it) ends it.
public final class EtcdStream<Request: Sendable, Response: Sendable>: Sendable {
    /// The endpoint the stream runs on (to report with `EtcdClient.endpointFailed`).
    public let endpoint: String
    private let call: BidirectionalStreamingCall
    private let encode: @Sendable (Request) -> [UInt8]
    private let decode: @Sendable ([UInt8]) throws -> Response

    init(endpoint: String, call: BidirectionalStreamingCall, encode: @escaping @Sendable (Request) -> [UInt8],
         decode: @escaping @Sendable ([UInt8]) throws -> Response) {
        self.endpoint = endpoint
        self.call = call
        self.encode = encode
        self.decode = decode
    }

    /// Sends one request; a stream etcd has ended is `.unavailable`.
    public func send(_ request: Request) async throws(EtcdError) {
        do {
            try await call.send(encode(request))
        } catch {
            throw EtcdError(.unavailable, "etcd stream to \(endpoint) ended: \(error.message)", status: error)
        }
    }

    /// The answers in order; the sequence ends (or throws the status) when etcd ends the stream.
    public var responses: AsyncThrowingMapSequence<BidirectionalStreamingCall.Responses, Response> {
        let decode = self.decode
        return call.responses.map { try decode($0) }
    }

    public func cancel() { call.cancel() }
}

/// A LeaseKeepAlive stream: send `EtcdLeaseKeepAliveRequest`s, read the renewed TTLs.
public typealias EtcdKeepAliveStream = EtcdStream<EtcdLeaseKeepAliveRequest, EtcdLeaseKeepAliveResponse>

/// A Watch stream: send `.create` (and `.cancel`, `.progress`), read the events.
public typealias EtcdWatchStream = EtcdStream<EtcdWatchRequest, EtcdWatchResponse>
