import Foundation
import Logging
import MCP

/// The gateway's MCP sessions: one stateful transport and one server each, by session id,
/// closed on DELETE or when idle past the timeout.
actor MCPSessionTable {
    private struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        var lastUsed: ContinuousClock.Instant
    }

    private var sessions: [String: Session] = [:]
    private let timeout: Duration
    private let logger: Logger

    init(timeout: Duration, logger: Logger) {
        self.timeout = timeout
        self.logger = logger
    }

    /// Routes a request that passed no session check yet: to its session, or, for an
    /// `initialize` POST without one, to a new session.
    func handle(_ request: HTTPRequest, pipeline: any HTTPRequestValidationPipeline,
                makeServer: @Sendable () async -> Server) async -> HTTPResponse {
        if let id = request.header(HTTPHeaderName.sessionID), var session = sessions[id] {
            session.lastUsed = .now
            sessions[id] = session
            let response = await session.transport.handleRequest(request)
            if request.method.uppercased() == "DELETE" && response.statusCode == 200 {
                sessions.removeValue(forKey: id)
                await session.server.stop()
            }
            return response
        }
        if request.method.uppercased() == "POST", let body = request.body, Self.isInitialize(body) {
            return await open(request, pipeline: pipeline, makeServer: makeServer)
        }
        if request.header(HTTPHeaderName.sessionID) != nil {
            return .error(statusCode: 404, .invalidRequest("Not Found: session not found or expired; initialize a new one"))
        }
        // Validate anyway, so a request without a session still meets the Host/Origin and
        // token checks (and their status codes) before being told it lacks a session.
        let context = HTTPValidationContext(httpMethod: request.method, sessionID: nil, isInitializationRequest: false,
                                            supportedProtocolVersions: Version.supported)
        if let refusal = pipeline.validate(request, context: context) { return refusal }
        return .error(statusCode: 400, .invalidRequest("Bad Request: missing \(HTTPHeaderName.sessionID) header"))
    }

    private func open(_ request: HTTPRequest, pipeline: any HTTPRequestValidationPipeline,
                      makeServer: @Sendable () async -> Server) async -> HTTPResponse {
        let id = UUID().uuidString
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id), validationPipeline: pipeline, logger: logger)
        let server = await makeServer()
        do {
            try await server.start(transport: transport)
        } catch {
            await transport.disconnect()
            return .error(statusCode: 500, .internalError("cannot start an MCP session: \(error)"))
        }
        let response = await transport.handleRequest(request)
        if case .error = response {
            await server.stop()
        } else {
            sessions[id] = Session(server: server, transport: transport, lastUsed: .now)
            logger.info("MCP session opened", metadata: ["session": "\(id)"])
        }
        return response
    }

    /// Closes idle sessions, checking once a minute, until cancelled.
    func expireIdle() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            let now = ContinuousClock.now
            for (id, session) in sessions where now - session.lastUsed > timeout {
                sessions.removeValue(forKey: id)
                await session.server.stop()
                logger.info("MCP session expired", metadata: ["session": "\(id)"])
            }
        }
    }

    /// Whether a POST body is an `initialize` request (the one message that opens a session).
    static func isInitialize(_ body: Data) -> Bool {
        guard let message = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return message["method"] as? String == "initialize" && message["id"] != nil
    }

    private struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }
}
