import Foundation
import Logging
import MCP
import StrataClient

/// Strata's MCP server: the tools of `StrataToolCatalog`, carried out by a `StrataToolbox`,
/// over stdio (`runStdio`) or, one server per session, behind `MCPHTTPGateway`.
public enum StrataMCPServer {
    public static let name = "strata"
    public static let version = "0.1.0"
    static let instructions = """
        Strata stores codebases and document sets and returns the best context for a task under a token budget, \
        with provenance (document and lines) for every passage. Start with list_namespaces, then get_context for \
        what you need to know; search to locate things; read_document to read a file whole. sync_directory keeps a \
        namespace mirroring a directory; indexing_status tells whether it is up to date.
        """

    /// A server with Strata's tools registered. `tokenFromRequest` says whether a tool call
    /// made over HTTP uses the bearer token of the request that carried it.
    public static func make(toolbox: StrataToolbox, tokenFromRequest: Bool = false) async -> Server {
        let server = Server(name: name, version: version, title: "Strata context store", instructions: instructions,
                            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: StrataToolCatalog.all)
        }
        await server.withMethodHandler(CallTool.self) { params in
            var box = toolbox
            if tokenFromRequest, let header = Server.currentHandlerContext?.httpContext?.header("Authorization"),
               let token = BearerToken.parse(header) {
                box = toolbox.with(token: token)
            }
            return await box.call(params.name, params.arguments)
        }
        return server
    }

    /// Serves MCP on standard input and output until the client closes them. Nothing but
    /// MCP messages is written to standard output; logs go to standard error.
    public static func runStdio(toolbox: StrataToolbox, logger: Logger) async throws {
        let server = await make(toolbox: toolbox)
        try await server.start(transport: StdioTransport(logger: logger))
        await server.waitUntilCompleted()
        await server.stop()
    }
}

/// `Authorization: Bearer TOKEN` parsing.
enum BearerToken {
    /// The token of an Authorization header value; nil when it is not a bearer token.
    static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Compares in time independent of where the first difference is.
    static func matches(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
