import Synchronization

/// What a handler knows about the call it serves.
public final class ServerContext: @unchecked Sendable {
    /// The full method path, e.g. "/strata.v1.Worker/Search".
    public let method: String
    /// Request metadata sent by the client.
    public let metadata: [(key: String, value: String)]
    private let call: any ServerCall
    private let peerIdentity = Mutex<PeerIdentity?>(nil)
    private let cancellation = Mutex<(cancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    convenience init(call: CallHandle, method: String) {
        self.init(call: call, method: method, metadata: call.receivedMetadata())
    }

    init(call: any ServerCall, method: String, metadata: [(key: String, value: String)]) {
        self.call = call
        self.method = method
        self.metadata = metadata
    }

    /// The caller as the transport authenticated it: TLS or not, and the verified client
    /// certificate's names. Read from gRPC on first use.
    public var peer: PeerIdentity {
        peerIdentity.withLock { cached in
            if let cached { return cached }
            let identity = call.peer
            cached = identity
            return identity
        }
    }

    /// Time left before the client's deadline; `nil` when the client set none. Handlers pass
    /// it on to the calls they make (deadline propagation).
    public var timeRemaining: Duration? { call.deadlineRemaining }

    /// True once the client cancelled, disconnected or its deadline passed.
    public var isCancelled: Bool { cancellation.withLock { $0.cancelled } }

    /// Runs `handler` once when the call is cancelled (at once if it already is). Long-lived
    /// handlers, such as a Watch stream waiting for changes, use it to stop waiting.
    public func onCancellation(_ handler: @escaping @Sendable () -> Void) {
        let runNow = cancellation.withLock { state -> Bool in
            if state.cancelled { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    func markCancelled() {
        let handlers = cancellation.withLock { state -> [@Sendable () -> Void] in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.handlers.removeAll() }
            return state.handlers
        }
        for handler in handlers { handler() }
    }

    /// The first value of a metadata key (gRPC keys are lowercase: "authorization").
    public func metadataValue(_ key: String) -> String? {
        metadata.first { $0.key == key }?.value
    }
}

/// Sends the messages of a server-streaming response.
public struct ResponseWriter<Message: RPCMessage>: Sendable {
    let call: any ServerCall
    let context: ServerContext

    /// Sends one message: queued behind the one gRPC has in flight, waiting only while the
    /// queue holds more than a megabyte (back-pressure, see `ResponseQueue`); throws
    /// CANCELLED when the client is gone.
    public func send(_ message: Message) async throws(RPCError) {
        guard try await call.sendResponse(message.serializedBytes()) else {
            context.markCancelled()
            throw RPCError(.cancelled, "the client went away")
        }
    }
}

/// The messages of a client-streaming request, received on demand (one outstanding receive:
/// a fast client is slowed to the speed the handler consumes, which is the back-pressure).
public struct RequestStream<Message: RPCMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let call: any ServerCall

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: any ServerCall
        var done = false

        public mutating func next() async throws -> Message? {
            guard !done else { return nil }
            guard let bytes = try await call.receiveMessage() else {
                done = true
                return nil
            }
            return try Message(serializedBytes: bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }
}
