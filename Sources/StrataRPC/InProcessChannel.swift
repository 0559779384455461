/// A transport to services in this process: a call runs the services' handlers directly, with
/// the request and response as serialized bytes -- the same bytes gRPC would carry -- so the
/// messages' encoding is exercised as well. The client's deadline and cancellation reach the
/// handler through its `ServerContext` as they do over gRPC, and errors become the status the
/// client sees through the same mapping (`RPCError(mapping:)`).
///
/// What it leaves out: there is no connection (the server cannot be "down"; whoever holds the
/// channel decides that), and no flow control (a streamed message is buffered at once).
public final class InProcessChannel: RPCTransport {
    public let target: String
    /// Who the calls come from, as the handlers' `ServerContext.peer` sees it.
    public let peer: PeerIdentity
    private let methods: [String: MethodHandler]

    /// `target` is the address the channel answers for; `services` are served as a server
    /// with them would (the first registration of a method path wins); `peer` is the identity
    /// the calls present (`.inProcess(certifiedAs:)` for a node's certificate name).
    public init(target: String, services: [ServiceDefinition], peer: PeerIdentity = .inProcess()) {
        self.target = target
        self.peer = peer
        var methods: [String: MethodHandler] = [:]
        for service in services {
            methods.merge(service.methods) { first, _ in first }
        }
        self.methods = methods
    }

    public func unary(_ method: String, _ request: [UInt8], options: CallOptions = .default) async throws(RPCError) -> [UInt8] {
        guard case .unary(let body) = try handler(method) else { throw Self.wrongShape(method, "unary") }
        let call = InProcessCall(deadline: options.deadline, peer: peer)
        let context = ServerContext(call: call, method: method, metadata: options.metadata)
        return try await Self.run(call, context) { try await body(request, context) }
    }

    public func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions = .default) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let body: @Sendable ([UInt8], any ServerCall, ServerContext) async throws -> Void
            do throws(RPCError) {
                guard case .serverStreaming(let found) = try handler(method) else { throw Self.wrongShape(method, "server-streaming") }
                body = found
            } catch {
                continuation.finish(throwing: error)
                return
            }
            let call = InProcessCall(deadline: options.deadline, peer: peer) { bytes in
                if case .terminated = continuation.yield(bytes) { return false }
                return true
            }
            let context = ServerContext(call: call, method: method, metadata: options.metadata)
            let task = Task {
                do throws(RPCError) {
                    try await Self.run(call, context) { try await body(request, call, context) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            // A consumer that stops early cancels the call, as over gRPC.
            continuation.onTermination = { _ in
                context.markCancelled()
                task.cancel()
            }
        }
    }

    public func openClientStream(_ method: String, options: CallOptions = .default) throws(RPCError) -> any RPCClientStream {
        guard case .clientStreaming(let body) = try handler(method) else { throw Self.wrongShape(method, "client-streaming") }
        let call = InProcessCall(deadline: options.deadline, peer: peer)
        let context = ServerContext(call: call, method: method, metadata: options.metadata)
        let task = Task { () async throws -> [UInt8] in
            // Once the handler has answered, further messages are refused (the call is over).
            defer { call.closeInbound() }
            return try await Self.run(call, context) { try await body(call, context) }
        }
        return InProcessClientStream(method: method, call: call, context: context, task: task)
    }

    private func handler(_ method: String) throws(RPCError) -> MethodHandler {
        guard let handler = methods[method] else {
            throw RPCError(.unimplemented, "method \(method) is not implemented by this server")
        }
        return handler
    }

    private static func wrongShape(_ method: String, _ shape: String) -> RPCError {
        RPCError(.internal, "method \(method) is not \(shape)")
    }

    /// Runs a handler as a task of its own, as the server does: the deadline and the caller's
    /// cancellation cancel it, and whatever it throws becomes the status the caller sees.
    static func run<T: Sendable>(
        _ call: InProcessCall, _ context: ServerContext, _ body: @escaping @Sendable () async throws -> T
    ) async throws(RPCError) -> T {
        let work = Task { try await body() }
        context.onCancellation {
            call.closeInbound()
            work.cancel()
        }
        let timer = call.deadline.map { deadline in
            Task {
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                call.expire()
                context.markCancelled()
            }
        }
        defer { timer?.cancel() }
        let result = await withTaskCancellationHandler {
            await work.result
        } onCancel: {
            context.markCancelled()
        }
        if call.expired { throw RPCError(.deadlineExceeded, "Deadline Exceeded") }
        switch result {
        case .success(let value): return value
        case .failure(let error):
            // As a real server sends it: the handler's trailers and `answeredKey`.
            var status = RPCError(mapping: error)
            status.metadata[RPCError.answeredKey] = "1"
            throw status
        }
    }
}

extension CallOptions {
    /// When the call's time is up, measured from now.
    var deadline: ContinuousClock.Instant? { timeout.map { ContinuousClock.now + $0 } }
}
