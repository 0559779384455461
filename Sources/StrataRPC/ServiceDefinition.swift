/// The methods one service serves, by full method path.
///
/// Built with typed registrations so handlers see decoded messages; the server dispatches on
/// the path and turns decode failures into INVALID_ARGUMENT.
public struct ServiceDefinition: Sendable {
    /// The fully qualified service name, e.g. "strata.v1.Worker" (also its health name).
    public let name: String
    var methods: [String: MethodHandler] = [:]

    public init(name: String) {
        self.name = name
    }

    /// Registers a unary method.
    public mutating func unary<Request: RPCMessage, Response: RPCMessage>(
        _ method: String, _: Request.Type = Request.self, _: Response.Type = Response.self,
        _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        methods["/\(name)/\(method)"] = .unary { bytes, context in
            let request = try Request(serializedBytes: bytes)
            return try await handler(request, context).serializedBytes()
        }
    }

    /// Registers a server-streaming method.
    public mutating func serverStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ method: String, _: Request.Type = Request.self, _: Response.Type = Response.self,
        _ handler: @escaping @Sendable (Request, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        methods["/\(name)/\(method)"] = .serverStreaming { bytes, call, context in
            let request = try Request(serializedBytes: bytes)
            try await handler(request, ResponseWriter(call: call, context: context), context)
        }
    }

    /// Registers a client-streaming method.
    public mutating func clientStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ method: String, _: Request.Type = Request.self, _: Response.Type = Response.self,
        _ handler: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
    ) {
        methods["/\(name)/\(method)"] = .clientStreaming { call, context in
            try await handler(RequestStream(call: call), context).serializedBytes()
        }
    }

    /// Registers a bidirectional-streaming method: the handler reads requests and sends
    /// responses independently (for instance from two tasks); the call ends when it returns.
    public mutating func bidirectionalStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ method: String, _: Request.Type = Request.self, _: Response.Type = Response.self,
        _ handler: @escaping @Sendable (RequestStream<Request>, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        methods["/\(name)/\(method)"] = .bidirectionalStreaming { call, context in
            try await handler(RequestStream(call: call), ResponseWriter(call: call, context: context), context)
        }
    }

    /// The full paths of the registered methods.
    public var methodPaths: [String] { methods.keys.sorted() }

    /// The same service, with `check` run before every handler with the method's full path
    /// (and before the request is decoded): a throw answers the call with that error and the
    /// handler never runs. For who-may-call rules that hold for a whole service.
    public func guarded(by check: @escaping @Sendable (_ path: String, ServerContext) throws -> Void) -> ServiceDefinition {
        var guarded = self
        for (path, handler) in methods {
            switch handler {
            case .unary(let run):
                guarded.methods[path] = .unary { bytes, context in
                    try check(path, context)
                    return try await run(bytes, context)
                }
            case .serverStreaming(let run):
                guarded.methods[path] = .serverStreaming { bytes, call, context in
                    try check(path, context)
                    try await run(bytes, call, context)
                }
            case .clientStreaming(let run):
                guarded.methods[path] = .clientStreaming { call, context in
                    try check(path, context)
                    return try await run(call, context)
                }
            case .bidirectionalStreaming(let run):
                guarded.methods[path] = .bidirectionalStreaming { call, context in
                    try check(path, context)
                    try await run(call, context)
                }
            }
        }
        return guarded
    }

    /// The same service, with every error a handler throws passed through `transform` before
    /// it becomes the call's status (e.g. to take file system paths out of what clients see).
    public func mappingErrors(_ transform: @escaping @Sendable (any Error) -> any Error) -> ServiceDefinition {
        var mapped = self
        for (path, handler) in methods {
            switch handler {
            case .unary(let run):
                mapped.methods[path] = .unary { bytes, context in
                    do { return try await run(bytes, context) } catch { throw transform(error) }
                }
            case .serverStreaming(let run):
                mapped.methods[path] = .serverStreaming { bytes, call, context in
                    do { try await run(bytes, call, context) } catch { throw transform(error) }
                }
            case .clientStreaming(let run):
                mapped.methods[path] = .clientStreaming { call, context in
                    do { return try await run(call, context) } catch { throw transform(error) }
                }
            case .bidirectionalStreaming(let run):
                mapped.methods[path] = .bidirectionalStreaming { call, context in
                    do { try await run(call, context) } catch { throw transform(error) }
                }
            }
        }
        return mapped
    }
}

/// A type-erased method handler.
enum MethodHandler: Sendable {
    case unary(@Sendable ([UInt8], ServerContext) async throws -> [UInt8])
    case serverStreaming(@Sendable ([UInt8], any ServerCall, ServerContext) async throws -> Void)
    case clientStreaming(@Sendable (any ServerCall, ServerContext) async throws -> [UInt8])
    case bidirectionalStreaming(@Sendable (any ServerCall, ServerContext) async throws -> Void)
}
