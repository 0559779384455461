import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1

/// Serves the HTTP/1.1 requests of one connection, one after another: collects a request,
/// routes it to its MCP session, and writes the answer -- a body, or an SSE stream relayed
/// chunk by chunk as the session produces it.
struct MCPConnectionContext: Sendable {
    let endpoint: String
    let sessions: MCPSessionTable
    let pipeline: any HTTPRequestValidationPipeline
    let toolbox: StrataToolbox
    let logger: Logger

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let received):
                        head = received
                        body.clear()
                    case .body(var chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let requestHead = head else { continue }
                        head = nil
                        let keepAlive = try await respond(to: requestHead, body: body, outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("MCP HTTP connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// Answers one request; false when the connection must close after it.
    private func respond(to head: HTTPRequestHead, body: ByteBuffer,
                         _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
        guard path == endpoint else {
            try await write(.error(statusCode: 404, .invalidRequest("Not Found: the MCP endpoint is \(endpoint)")), head, outbound)
            return head.isKeepAlive
        }
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name] = headers[name].map { $0 + ", " + value } ?? value }
        let request = HTTPRequest(method: head.method.rawValue, headers: headers,
                                  body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: path)
        let toolbox = self.toolbox
        let response = await sessions.handle(request, pipeline: pipeline) {
            await StrataMCPServer.make(toolbox: toolbox, tokenFromRequest: true)
        }
        try await write(response, head, outbound)
        return head.isKeepAlive
    }

    private func write(_ response: HTTPResponse, _ request: HTTPRequestHead,
                       _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.statusCode))
        for (name, value) in response.headers { head.headers.add(name: name, value: value) }
        switch response {
        case .stream(let stream, _):
            try await outbound.write(.head(head))
            do {
                for try await chunk in stream { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk)))) }
            } catch {
                logger.debug("MCP SSE stream ended", metadata: ["error": "\(error)"])
            }
            try await outbound.write(.end(nil))
        default:
            let data = response.bodyData ?? Data()
            head.headers.replaceOrAdd(name: "Content-Length", value: "\(data.count)")
            try await outbound.write(.head(head))
            if !data.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data)))) }
            try await outbound.write(.end(nil))
        }
    }
}
