import ArgumentParser
import Foundation
import Logging
import StrataCLIOptions
import StrataClient
import StrataMCP

/// `strata mcp` (this executable, `strata-mcp`, which `strata mcp` runs): Strata's tools for
/// agents over the Model Context Protocol -- on stdio (the agent starts this command), or as a
/// streamable-HTTP gateway with `--http HOST:PORT`.
///
/// An executable of its own so that `strata` does not link the MCP SDK: the SDK brings
/// FoundationNetworking and through it libcurl with about 30 shared libraries, which every
/// `strata query` paid for in the dynamic loader (docs/benchmarks.md, CLI round trip).
@main
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata mcp",
        abstract: "Serve Strata's tools to agents over MCP (stdio, or streamable HTTP with --http).",
        discussion: """
            Tools: get_context, search, read_document, sync_directory, indexing_status, list_namespaces, \
            cluster_status. On stdio, standard output carries only MCP messages; logs go to standard error. \
            Over HTTP the endpoint is /mcp; Host and Origin must name an allowed host (loopback names, the bound \
            host, --allow-host), and with a token (--token, --token-file, $STRATA_TOKEN) clients must send \
            'Authorization: Bearer TOKEN', which is also what the gateway presents to the coordinator.
            """)

    @OptionGroup var options: CoordinatorOptions
    @Option(help: "Serve streamable HTTP on HOST:PORT, or PORT on 127.0.0.1 (e.g. 8765; port 0 picks one), instead of stdio.")
    var http: String?
    @Option(name: .customLong("sync-root"), help: "Directories sync_directory may mirror (and below); repeatable. Default: any on stdio, none over HTTP.")
    var syncRoots: [String] = []
    @Option(name: .customLong("allow-host"), help: "Over HTTP: another Host (name or name:port) clients may use; repeatable.")
    var allowHosts: [String] = []
    @Flag(help: "Over HTTP on a non-loopback address: serve without a token (anyone who can reach the port gets the tools).")
    var allowUnauthenticated = false
    @Option(help: "Log level on standard error: trace, debug, info, warning, error.") var logLevel: String = "warning"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical") }
        if let http {
            let (host, _) = try Self.hostAndPort(http)
            if try options.bearerToken() == nil && !Self.isLoopback(host) && !allowUnauthenticated {
                throw ValidationError("--http \(http) is not a loopback address: give a token (--token or --token-file) or --allow-unauthenticated")
            }
        }
    }

    func run() async throws {
        // Everything logs to standard error: on stdio, standard output belongs to MCP.
        let level = Logger.Level(rawValue: logLevel) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "strata.mcp")
        let client = try options.client()
        if let http {
            let (host, port) = try Self.hostAndPort(http)
            let access: StrataToolbox.SyncAccess = syncRoots.isEmpty ? .none : .below(syncRoots)
            var settings = MCPHTTPGateway.Settings(host: host, port: port, token: try options.bearerToken())
            settings.extraAllowedHosts = allowHosts
            let gateway = MCPHTTPGateway(settings: settings, toolbox: StrataToolbox(client: client, syncAccess: access), logger: logger)
            try await gateway.run { bound in
                let shown = host.contains(":") ? "[\(host)]" : host
                FileHandle.standardError.write(Data("strata mcp: serving MCP at http://\(shown):\(bound)/mcp (coordinator \(client.address))\n".utf8))
            }
        } else {
            let access: StrataToolbox.SyncAccess = syncRoots.isEmpty ? .anywhere : .below(syncRoots)
            try await StrataMCPServer.runStdio(toolbox: StrataToolbox(client: client, syncAccess: access), logger: logger)
        }
    }

    /// "host:port", "[v6]:port", or a port alone (bound to 127.0.0.1).
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        if let port = Int(text), (0...65535).contains(port) { return ("127.0.0.1", port) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--http must be HOST:PORT, e.g. 127.0.0.1:8765")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--http must be HOST:PORT, e.g. 127.0.0.1:8765") }
        return (host, port)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
