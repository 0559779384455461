import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1
import NIOPosix
import StrataClient

/// Streamable HTTP for MCP (`strata mcp --http HOST:PORT`): one endpoint (`/mcp`) for POST,
/// GET and DELETE, a session (and an MCP server) per `Mcp-Session-Id`, built on the SDK's
/// stateful transport and served with SwiftNIO.
///
/// Every request passes the SDK's validators first: `Host` and `Origin` must name an allowed
/// host (DNS-rebinding protection; by default the loopback names and the bound host), the
/// bearer token when one is configured, then Accept, Content-Type, protocol version and
/// session. A tool call uses the coordinator token of the request that carried it, so when the
/// coordinator checks tokens, it checks the HTTP client's.
public final class MCPHTTPGateway: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var endpoint = "/mcp"
        /// HTTP clients must send `Authorization: Bearer TOKEN`; nil accepts any client that
        /// passes the other checks (and forwards whatever token it sends).
        public var token: String?
        /// `Host` values allowed besides the loopback names and the bound host (`name` or
        /// `name:port`); `Origin`s allowed are these with http:// or https://.
        public var extraAllowedHosts: [String] = []
        /// A session idle this long is closed.
        public var sessionTimeout: Duration = .seconds(3600)

        public init(host: String, port: Int, token: String? = nil) {
            self.host = host
            self.port = port
            self.token = token
        }
    }

    private let settings: Settings
    private let toolbox: StrataToolbox
    private let logger: Logger
    private let sessions: MCPSessionTable

    public init(settings: Settings, toolbox: StrataToolbox, logger: Logger) {
        self.settings = settings
        self.toolbox = toolbox
        self.logger = logger
        sessions = MCPSessionTable(timeout: settings.sessionTimeout, logger: logger)
    }

    /// Binds, then serves until `ready`'s caller cancels the task or the channel closes.
    /// `ready` gets the bound port (useful with port 0).
    public func run(ready: @Sendable (Int) -> Void = { _ in }) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? settings.port
        ready(port)
        let pipeline = validationPipeline(port: port)
        let context = MCPConnectionContext(endpoint: settings.endpoint, sessions: sessions, pipeline: pipeline,
                                           toolbox: toolbox, logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.sessions.expireIdle() }
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await context.serve(connection) }
                }
            }
        }
    }

    /// The checks every request passes before its session sees it.
    func validationPipeline(port: Int) -> any HTTPRequestValidationPipeline {
        var hosts = ["127.0.0.1", "localhost", "[::1]"]
        if !["0.0.0.0", "::", "[::]"].contains(settings.host) && !hosts.contains(settings.host) {
            hosts.append(settings.host.contains(":") && !settings.host.hasPrefix("[") ? "[\(settings.host)]" : settings.host)
        }
        var allowedHosts: [String] = []
        for host in hosts { allowedHosts += [host, "\(host):\(port)"] }
        allowedHosts += settings.extraAllowedHosts
        let allowedOrigins = allowedHosts.flatMap { ["http://\($0)", "https://\($0)"] }
        var validators: [any HTTPRequestValidator] = [OriginValidator(allowedHosts: allowedHosts, allowedOrigins: allowedOrigins)]
        if let token = settings.token { validators.append(StaticBearerTokenValidator(token: token)) }
        validators += [AcceptHeaderValidator(mode: .sseRequired), ContentTypeValidator(), ProtocolVersionValidator(), SessionValidator()]
        return StandardValidationPipeline(validators: validators)
    }
}

/// Requires `Authorization: Bearer TOKEN` with the gateway's token: 401 with a
/// `WWW-Authenticate: Bearer` challenge when missing or wrong.
struct StaticBearerTokenValidator: HTTPRequestValidator {
    let token: String

    func validate(_ request: HTTPRequest, context: HTTPValidationContext) -> HTTPResponse? {
        guard let header = request.header("Authorization"), let given = BearerToken.parse(header),
              BearerToken.matches(given, token) else {
            return .error(statusCode: 401, .invalidRequest("Unauthorized: send Authorization: Bearer with this server's token"),
                          sessionID: context.sessionID, extraHeaders: ["WWW-Authenticate": "Bearer realm=\"strata\""])
        }
        return nil
    }
}
