import CStrataRPC

/// A client connection whose calls block the calling thread, which drives gRPC itself (one
/// pluck completion queue per call): no completion-queue thread, no Swift concurrency, no
/// hand-over between threads per message. For a process that makes one call and exits
/// (`strata query`), where on a busy machine each wake-up of another thread is a wait for a
/// core. Errors are those of `RPCChannel.serverStreaming`.
public final class BlockingRPCChannel: @unchecked Sendable {
    public let target: String
    private let channel: OpaquePointer

    public init(target: String, limits: MessageLimits = .default, security: ChannelSecurity = .insecure) {
        self.target = target
        channel = security.withCTLS { strata_channel_create(target, limits.cLimits, $0) }
    }

    deinit {
        strata_channel_destroy(channel)
    }

    /// Calls a server-streaming method; `receive` gets each response message, on the calling
    /// thread, as it arrives. Throws the call's status if it is not OK, or what `receive`
    /// throws (the call is then cancelled).
    public func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions = .default,
                                receive: ([UInt8]) throws -> Void) throws {
        let queue = PluckQueue()
        try withExtendedLifetime(queue) {
            let raw = try RPCChannel.makeCall(on: channel, method, queue: queue.raw, options)
            var call = BlockingCall(raw: raw, queue: queue.raw)
            defer { call.finish() }
            try call.start("receive status") { strata_call_recv_status_on_client($0, $1) }
            // One batch: initial metadata, the request and the close, as `ServerStreamReader` sends them.
            let sent = try call.perform("send the request") { call, tag in
                request.withUnsafeBytes { strata_call_start_server_streaming(call, $0.baseAddress, $0.count, tag) }
            }
            guard sent else {
                throw call.status() ?? RPCError(.unavailable, "could not send the request to \(target)")
            }
            while try call.perform("receive message", { strata_call_recv_message($0, $1) }), let message = CallHandle.takeReceived(raw) {
                try receive(message)
            }
            if let error = call.status() { throw error }
        }
    }
}

/// One call of a `BlockingRPCChannel` and the operations started on it, each plucked by its
/// tag; `finish` cancels what is still outstanding, waits for it and frees the call.
private struct BlockingCall {
    let raw: OpaquePointer
    let queue: OpaquePointer
    private var nextTag: UInt = 1
    private var statusTag: UInt?
    private var statusReceived = false

    init(raw: OpaquePointer, queue: OpaquePointer) {
        self.raw = raw
        self.queue = queue
    }

    /// Starts the status receive, which completes when the call ends.
    mutating func start(_ what: String, _ begin: (OpaquePointer, UInt) -> Int32) throws(RPCError) {
        let tag = nextTag
        nextTag += 1
        let result = begin(raw, tag)
        guard result == 0 else { throw RPCError(.internal, "could not start \(what) (grpc_call_error \(result))") }
        statusTag = tag
    }

    /// Starts one batch and waits for it; its success flag.
    mutating func perform(_ what: String, _ begin: (OpaquePointer, UInt) -> Int32) throws(RPCError) -> Bool {
        let tag = nextTag
        nextTag += 1
        let result = begin(raw, tag)
        guard result == 0 else { throw RPCError(.internal, "could not start \(what) (grpc_call_error \(result))") }
        return strata_cq_pluck(queue, tag, -1).success != 0
    }

    /// The call's error once it has ended, nil when it ended OK.
    mutating func status() -> RPCError? {
        if let statusTag, !statusReceived {
            _ = strata_cq_pluck(queue, statusTag, -1)
            statusReceived = true
        }
        return CallHandle.clientStatus(raw)
    }

    /// Cancels the call if it has not ended, waits for its status and frees it.
    mutating func finish() {
        if let statusTag, !statusReceived {
            strata_call_cancel(raw)
            _ = strata_cq_pluck(queue, statusTag, -1)
            statusReceived = true
        }
        strata_call_destroy(raw)
    }
}
