import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataCore
import StrataRPC
import StrataWire

/// `strata health NODE`: one node's health and status in full.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Show one node's health (grpc.health.v1) and status.",
        discussion: "Exit code 0 when the node is SERVING, 3 when it answers NOT_SERVING, 1 when it cannot be reached."
    )

    @Argument(help: "host:port of the node.") var node: String?
    @Option(name: .customLong("node"), help: "host:port of the node (same as the argument).") var nodeOption: String?
    @Option(help: "Seconds to wait for the node.") var timeout: Double = 3
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Only grpc.health.v1 (a probe: needs no token or client certificate); prints the status word.") var probe = false
    @Option(help: "Bearer token for the coordinator's status (default: $STRATA_TOKEN, or the file $STRATA_TOKEN_FILE).") var token: String?
    @OptionGroup var tls: ClientTLSOptions

    func validate() throws {
        guard (node ?? nodeOption) != nil else { throw ValidationError("give the node as host:port (strata health 127.0.0.1:7401)") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        let target = (node ?? nodeOption)!
        let environment = ProcessInfo.processInfo.environment
        let bearer = token ?? environment["STRATA_TOKEN"] ?? environment["STRATA_TOKEN_FILE"].flatMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8))?.split(whereSeparator: \.isNewline).first.map(String.init)
        }
        let options = CallOptions(timeout: .milliseconds(Int(timeout * 1000)),
                                  metadata: bearer.map { [(key: "authorization", value: "Bearer \($0)")] } ?? [])
        do {
            let channel = RPCChannel(target: target, security: try tls.security())
            let health = try HealthCheckResponse(serializedBytes: channel.unaryBlocking(
                MethodPath.healthCheck, HealthCheckRequest().serializedBytes(), options: options))
            if probe {
                print(health.status.description)
                if health.status != .serving { throw ExitCode(CLIFailure.notServing) }
                return
            }
            let report = try Self.status(channel, options)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let data = try encoder.encode(HealthJSON(node: target, health: health.status.description, status: report))
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(HealthTable.render(target: target, health: health.status, report: report))
            }
            if health.status != .serving { throw ExitCode(CLIFailure.notServing) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw CLIFailure.exit(error, context: "health \(target)")
        }
    }

    /// Asks the node for its status with whichever service it runs.
    static func status(_ channel: RPCChannel, _ options: CallOptions) throws -> NodeStatusReport {
        let workerHealth = try? HealthCheckResponse(serializedBytes: channel.unaryBlocking(
            MethodPath.healthCheck, HealthCheckRequest(service: StrataServiceName.worker).serializedBytes(), options: options))
        if workerHealth != nil {
            return try NodeStatusMessage(serializedBytes: channel.unaryBlocking(
                MethodPath.workerStatus, WorkerStatusRequest().serializedBytes(), options: options)).report
        }
        return try NodeStatusMessage(serializedBytes: channel.unaryBlocking(
            MethodPath.coordinatorNodeStatus, NodeStatusRequest().serializedBytes(), options: options)).report
    }
}

private struct HealthJSON: Encodable {
    let node: String
    let health: String
    let status: NodeStatusReport
}
