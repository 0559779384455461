import CStrataRPC
import Foundation
import Synchronization

/// A client connection to one gRPC server ("host:port"), over gRPC core.
///
/// Connects lazily and reconnects by itself. Async calls complete on the channel's own
/// completion-queue thread; blocking calls wait on a queue of their own (no thread hop),
/// which is what a sequential caller such as the CLI wants.
public final class RPCChannel: @unchecked Sendable {
    public let target: String
    private let channel: OpaquePointer
    let queue: CompletionQueue
    /// Pluck queues kept for blocking calls (creating one per call costs a measurable share
    /// of a loopback round trip).
    private let pluckQueues = Mutex<[PluckQueue]>([])

    public init(target: String, limits: MessageLimits = .default, security: ChannelSecurity = .insecure) {
        self.target = target
        channel = security.withCTLS { strata_channel_create(target, limits.cLimits, $0) }
        queue = CompletionQueue(name: "rpc-client-cq")
        queue.start()
    }

    deinit {
        strata_channel_destroy(channel)
        queue.shutdownAndJoin()
    }

    /// Whether the channel is connected (or connecting) right now.
    public var isReady: Bool { strata_channel_state(channel, 1) == 2 /* GRPC_CHANNEL_READY */ }

    func makeCall(_ method: String, on queue: OpaquePointer, _ options: CallOptions) throws(RPCError) -> OpaquePointer {
        try Self.makeCall(on: channel, method, queue: queue, options)
    }

    /// A new call of `method` on a C channel, its completions on `queue`, with the options'
    /// deadline and request metadata; shared with `BlockingRPCChannel`.
    static func makeCall(on channel: OpaquePointer, _ method: String, queue: OpaquePointer, _ options: CallOptions) throws(RPCError) -> OpaquePointer {
        guard let raw = strata_channel_create_call(channel, queue, method, options.timeoutMicroseconds) else {
            throw RPCError(.internal, "cannot create a call to \(method)")
        }
        for (key, value) in options.metadata {
            var value = value
            _ = value.withUTF8 { strata_call_add_metadata(raw, key, $0.baseAddress, $0.count) }
        }
        return raw
    }

    // MARK: unary

    /// Calls a unary method and waits for the answer without blocking a thread. Cancelling the
    /// calling task cancels the call (it then ends with CANCELLED at once), so a caller that
    /// stops waiting -- a hedged read whose other replica answered first -- frees it.
    public func unary(_ method: String, _ request: [UInt8], options: CallOptions = .default) async throws(RPCError) -> [UInt8] {
        let call = CallHandle(raw: try makeCall(method, on: queue.raw, options), queue: queue, owner: self)
        do {
            _ = try await withTaskCancellationHandler {
                try await call.perform("unary call") { raw, tag in
                    request.withUnsafeBytes { strata_call_start_unary(raw, $0.baseAddress, $0.count, tag) }
                }
            } onCancel: {
                call.cancel()
            }
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "\(error)")
        }
        return try Self.unaryResult(call, method)
    }

    /// Calls a unary method, blocking the calling thread until the answer arrives.
    public func unaryBlocking(_ method: String, _ request: [UInt8], options: CallOptions = .default) throws(RPCError) -> [UInt8] {
        let queue = pluckQueues.withLock { $0.popLast() } ?? PluckQueue()
        defer { pluckQueues.withLock { $0.append(queue) } }
        let pluck = queue.raw
        let raw = try makeCall(method, on: pluck, options)
        defer { strata_call_destroy(raw) }
        let tag: UInt = 1
        let started = request.withUnsafeBytes { strata_call_start_unary(raw, $0.baseAddress, $0.count, tag) }
        guard started == 0 else { throw RPCError(.internal, "could not start \(method) (grpc_call_error \(started))") }
        _ = strata_cq_pluck(pluck, tag, -1)
        if let status = CallHandle.clientStatus(raw) { throw status }
        guard let bytes = CallHandle.takeReceived(raw) else {
            throw RPCError(.internal, "\(method) answered OK without a message")
        }
        return bytes
    }

    private static func unaryResult(_ call: CallHandle, _ method: String) throws(RPCError) -> [UInt8] {
        if let status = call.clientStatus() { throw status }
        guard let bytes = call.takeReceived() else {
            throw RPCError(.internal, "\(method) answered OK without a message")
        }
        return bytes
    }

    // MARK: streaming

    /// Calls a server-streaming method; the stream yields each response message and throws
    /// the call's status if it is not OK. Responses are read ahead of the consumer, a few at
    /// a time (`ServerStreamReader`); a consumer that stops early (break, task cancelled)
    /// cancels the call, so the server learns at once that nobody is listening (a task
    /// cancelled while it waits for a response gets CANCELLED thrown).
    public func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions = .default) -> AsyncThrowingStream<[UInt8], any Error> {
        let reader: ServerStreamReader
        do {
            reader = ServerStreamReader(call: CallHandle(raw: try makeCall(method, on: queue.raw, options), queue: queue, owner: self),
                                        request: request, target: target)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return AsyncThrowingStream { () async throws -> [UInt8]? in try await reader.next() }
    }

    /// Opens a client-streaming call: send messages, then `finish()` for the single answer.
    public func clientStreaming(_ method: String, options: CallOptions = .default) throws(RPCError) -> ClientStreamingCall {
        let call = CallHandle(raw: try makeCall(method, on: queue.raw, options), queue: queue, owner: self)
        return ClientStreamingCall(call: call, method: method, status: StatusWaiter(call))
    }
}

/// The client half of a client-streaming call.
public final class ClientStreamingCall: Sendable {
    let call: CallHandle
    let method: String
    let status: StatusWaiter

    init(call: CallHandle, method: String, status: StatusWaiter) {
        self.call = call
        self.method = method
        self.status = status
    }

    /// Sends one message; waits until gRPC has taken it (flow control is the back-pressure).
    /// Throws the call's final status when the server has already ended the call.
    public func send(_ message: [UInt8]) async throws(RPCError) {
        guard try await call.sendMessage(message) else {
            throw await status.failure(or: RPCError(.unavailable, "the server closed \(method)"))
        }
    }

    /// Half-closes and waits for the answer.
    public func finish() async throws(RPCError) -> [UInt8] {
        _ = try await call.perform("close") { strata_call_send_close_from_client($0, $1) }
        let response = try await call.receiveMessage()
        if let error = await status.wait() { throw error }
        guard let response else { throw RPCError(.internal, "\(method) answered OK without a message") }
        return response
    }

    /// Abandons the call; the server sees CANCELLED.
    public func cancel() { call.cancel() }
}

/// Starts RECV_STATUS_ON_CLIENT at the beginning of a streaming call (so that a failure is
/// learned as soon as it happens) and hands out the status once it has arrived.
final class StatusWaiter: Sendable {
    private let task: Task<RPCError?, Never>

    init(_ call: CallHandle) {
        task = Task {
            do throws(RPCError) {
                _ = try await call.perform("receive status") { strata_call_recv_status_on_client($0, $1) }
                return call.clientStatus()
            } catch {
                return error
            }
        }
    }

    /// The call's error, or nil when it ended OK.
    func wait() async -> RPCError? { await task.value }

    /// The call's error, or `fallback` when the status says OK.
    func failure(or fallback: RPCError) async -> RPCError { await wait() ?? fallback }
}

/// A pluck completion queue with one owner at a time (taken from and returned to a channel's pool).
final class PluckQueue: @unchecked Sendable {
    let raw: OpaquePointer = strata_cq_create_pluck()!
    deinit { strata_cq_destroy(raw) }
}
