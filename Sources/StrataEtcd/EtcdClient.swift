import StrataCore
import StrataRPC
import Synchronization

/// A client of etcd's v3 API over Strata's own RPC layer, with one channel per endpoint.
///
/// Failover: a call goes to the endpoint that answered last. When that endpoint is
/// unreachable, has no leader or times out, a read (Range, LeaseTimeToLive) is retried on
/// the next endpoint, and so is a write when its channel was not connected (so the request
/// cannot have left this process). A write that fails after it may have reached etcd is
/// `EtcdError.Kind.outcomeUnknown`: only the caller can tell (by reading) whether it
/// happened. Streams (LeaseKeepAlive, Watch) open on the current endpoint; their owner
/// reopens them after a failure and reports the endpoint with `endpointFailed`.
public final class EtcdClient: Sendable {
    public let settings: EtcdClientSettings
    private let channels: [RPCChannel]
    /// The endpoint tried first.
    private let preferred = Atomic<Int>(0)

    public init(_ settings: EtcdClientSettings) {
        self.settings = settings
        channels = settings.endpoints.map { RPCChannel(target: $0, limits: settings.limits, security: settings.security) }
    }

    public var endpoints: [String] { settings.endpoints }

    /// The endpoint calls go to first right now.
    public var currentEndpoint: String { endpoints[preferred.load(ordering: .relaxed)] }

    /// A stream on `endpoint` failed: later calls start at the next endpoint (unless another
    /// failure has moved on already).
    public func endpointFailed(_ endpoint: String) {
        guard let index = endpoints.firstIndex(of: endpoint) else { return }
        _ = preferred.compareExchange(expected: index, desired: (index + 1) % endpoints.count, ordering: .relaxed)
    }

    // MARK: KV

    public func range(_ request: EtcdRangeRequest) async throws(EtcdError) -> EtcdRangeResponse {
        try await call(EtcdMethod.range, request.serializedBytes(), repeatable: true, EtcdRangeResponse.init(serializedBytes:))
    }

    public func put(_ request: EtcdPutRequest) async throws(EtcdError) -> EtcdPutResponse {
        try await call(EtcdMethod.put, request.serializedBytes(), repeatable: false, EtcdPutResponse.init(serializedBytes:))
    }

    public func deleteRange(_ request: EtcdDeleteRangeRequest) async throws(EtcdError) -> EtcdDeleteRangeResponse {
        try await call(EtcdMethod.deleteRange, request.serializedBytes(), repeatable: false, EtcdDeleteRangeResponse.init(serializedBytes:))
    }

    public func txn(_ request: EtcdTxnRequest) async throws(EtcdError) -> EtcdTxnResponse {
        try await call(EtcdMethod.txn, request.serializedBytes(), repeatable: false, EtcdTxnResponse.init(serializedBytes:))
    }

    // MARK: leases

    /// Grants a lease of `ttl` seconds; etcd's refusal (its `error` field) is `.refused`.
    public func leaseGrant(ttl: Int64) async throws(EtcdError) -> EtcdLeaseGrantResponse {
        let response = try await call(EtcdMethod.leaseGrant, EtcdLeaseGrantRequest(ttl: ttl).serializedBytes(), repeatable: false,
                                      EtcdLeaseGrantResponse.init(serializedBytes:))
        guard response.error.isEmpty else { throw EtcdError(.refused, "etcd refused a lease of \(ttl) s: \(response.error)") }
        return response
    }

    /// Revokes a lease (its keys are deleted). Revoking twice is harmless for the caller: a
    /// lease etcd no longer knows is NOT_FOUND (`.refused`).
    public func leaseRevoke(id: Int64) async throws(EtcdError) -> EtcdLeaseRevokeResponse {
        try await call(EtcdMethod.leaseRevoke, EtcdLeaseRevokeRequest(id: id).serializedBytes(), repeatable: true,
                       EtcdLeaseRevokeResponse.init(serializedBytes:))
    }

    public func leaseTimeToLive(id: Int64, keys: Bool = false) async throws(EtcdError) -> EtcdLeaseTimeToLiveResponse {
        try await call(EtcdMethod.leaseTimeToLive, EtcdLeaseTimeToLiveRequest(id: id, keys: keys).serializedBytes(), repeatable: true,
                       EtcdLeaseTimeToLiveResponse.init(serializedBytes:))
    }

    // MARK: streams

    /// Opens a LeaseKeepAlive stream on the current endpoint.
    public func leaseKeepAliveStream() throws(EtcdError) -> EtcdKeepAliveStream {
        try openStream(EtcdMethod.leaseKeepAlive, encode: { $0.serializedBytes() }, decode: EtcdLeaseKeepAliveResponse.init(serializedBytes:))
    }

    /// Opens a Watch stream on the current endpoint; send `.create` requests on it.
    public func watchStream() throws(EtcdError) -> EtcdWatchStream {
        try openStream(EtcdMethod.watch, encode: { $0.serializedBytes() }, decode: EtcdWatchResponse.init(serializedBytes:))
    }

    private func openStream<Request, Response>(
        _ method: String, encode: @escaping @Sendable (Request) -> [UInt8], decode: @escaping @Sendable ([UInt8]) throws -> Response
    ) throws(EtcdError) -> EtcdStream<Request, Response> {
        let index = preferred.load(ordering: .relaxed)
        // "hasleader" makes a member that loses its raft leader end the stream (etcd's
        // WithRequireLeader), so the owner moves to a member of the majority instead of
        // waiting on one that can no longer deliver events or keep leases.
        let options = CallOptions(metadata: [(key: "hasleader", value: "true")])
        do {
            let call = try channels[index].bidirectionalStreaming(method, options: options)
            return EtcdStream(endpoint: endpoints[index], call: call, encode: encode, decode: decode)
        } catch {
            throw EtcdError(.unavailable, "cannot open \(method) on etcd at \(endpoints[index]): \(error.message)", status: error)
        }
    }

    // MARK: unary calls with failover

    private func call<Response>(
        _ method: String, _ request: [UInt8], repeatable: Bool, _ decode: ([UInt8]) throws -> Response
    ) async throws(EtcdError) -> Response {
        let first = preferred.load(ordering: .relaxed)
        var failures: [String] = []
        var lastStatus: RPCError?
        for attempt in 0..<channels.count {
            let index = (first + attempt) % channels.count
            let channel = channels[index]
            let wasConnected = channel.isReady
            let bytes: [UInt8]
            do {
                bytes = try await channel.unary(method, request, options: CallOptions(timeout: settings.requestTimeout))
            } catch {
                guard Self.isEndpointFailure(error) else {
                    throw EtcdError(.refused, "etcd at \(endpoints[index]) refused \(method): \(error.message)", status: error)
                }
                if !repeatable && (wasConnected || error.code == .deadlineExceeded) {
                    throw EtcdError(.outcomeUnknown, "\(method) to etcd at \(endpoints[index]) failed and may or may not have been applied: \(error)", status: error)
                }
                failures.append("\(endpoints[index]): \(error)")
                lastStatus = error
                continue
            }
            if index != first { _ = preferred.compareExchange(expected: first, desired: index, ordering: .relaxed) }
            do {
                return try decode(bytes)
            } catch {
                throw EtcdError(.malformedResponse, "etcd at \(endpoints[index]) answered \(method) with a message Strata cannot read: \(error)")
            }
        }
        // Start the next call elsewhere than where this one started.
        _ = preferred.compareExchange(expected: first, desired: (first + 1) % channels.count, ordering: .relaxed)
        throw EtcdError(.unavailable, "etcd is unavailable: no endpoint answered \(method) (\(failures.joined(separator: "; ")))", status: lastStatus)
    }

    /// Failures of the endpoint rather than of the request: unreachable, no leader, request
    /// timed out inside etcd (all UNAVAILABLE), or our deadline passed.
    private static func isEndpointFailure(_ error: RPCError) -> Bool {
        error.code == .unavailable || error.code == .deadlineExceeded
    }
}
