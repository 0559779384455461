import ArgumentParser
import Foundation

/// `strata mcp`: runs `strata-mcp` (installed beside `strata`) with the same arguments.
///
/// The MCP server is an executable of its own so that `strata` does not link the MCP SDK,
/// whose FoundationNetworking (libcurl and about 30 shared libraries) every other command
/// paid for at process start (docs/benchmarks.md, CLI round trip).
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve Strata's tools to agents over MCP (stdio, or streamable HTTP with --http).",
        discussion: "Runs strata-mcp from the directory of this executable; 'strata mcp --help' lists its options.")

    @Argument(parsing: .captureForPassthrough, help: "Arguments of strata-mcp.")
    var arguments: [String] = []

    func run() throws {
        let server = Self.serverPath()
        guard FileManager.default.isExecutableFile(atPath: server) else {
            FileHandle.standardError.write(Data("strata: mcp needs \(server) (strata-mcp installed beside strata)\n".utf8))
            throw ExitCode(CLIFailure.failed)
        }
        let argv = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        FileHandle.standardError.write(Data("strata: cannot run \(server): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(CLIFailure.failed)
    }

    /// `strata-mcp` in the directory of the running executable.
    static func serverPath() -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("strata-mcp").path
    }
}
