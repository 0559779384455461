import Foundation
import Logging
import StrataCore
import StrataRPC
import StrataWire

/// What every node process shares: the gRPC server with health, its identity, uptime, and
/// the graceful stop on SIGTERM/SIGINT. Roles (worker, coordinator) add their services.
public final class NodeRuntime: Sendable {
    public let role: NodeRole
    public let identity: NodeIdentity
    public let config: StrataConfig
    public let health: HealthService
    public let logger: Logger
    /// Every service the node serves, health included (what an in-process network routes to).
    public let services: [ServiceDefinition]
    /// The gRPC server; nil for a node reached only in process (`NodeEnvironment.servesGRPC`).
    private let server: RPCServer?
    private let startedAt: Date
    private let listenHost: String
    private let listenAddress: String

    /// Binds the server (not yet serving) unless `servesGRPC` is false. Health starts
    /// NOT_SERVING for every service.
    public init(role: NodeRole, identity: NodeIdentity, config: StrataConfig, listen: String,
                services: [ServiceDefinition], servesGRPC: Bool = true) throws(RPCError) {
        self.role = role
        self.identity = identity
        self.config = config
        self.startedAt = Date()
        var logger = Logger(label: "strata.\(role.rawValue)")
        logger[metadataKey: "node"] = "\(identity.nodeID)"
        self.logger = logger
        health = HealthService(services: services.map(\.name))
        listenHost = String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)])
        self.services = services + [health.definition]
        listenAddress = listen
        guard servesGRPC else {
            server = nil
            return
        }
        server = try RPCServer(
            settings: ServerSettings(
                address: listen,
                completionQueueThreads: config.rpc.threads,
                limits: MessageLimits(maxReceiveBytes: config.rpc.maxMessageBytes, maxSendBytes: config.rpc.maxMessageBytes),
                shutdownGrace: .milliseconds(config.rpc.shutdownGraceMs)
            ),
            services: self.services
        )
    }

    /// The bound port (0 without a gRPC server).
    public var port: Int { server?.port ?? 0 }
    /// "host:port" as other nodes should dial it (the listen address as given when the node
    /// is reached only in process).
    public var address: String { server == nil ? listenAddress : "\(listenHost):\(port)" }

    /// Starts serving; health stays NOT_SERVING until the role calls `markServing()`.
    public func start() throws(RPCError) {
        try server?.start()
        logger.info("listening", metadata: ["address": "\(address)", "version": "\(StrataVersion.string)"])
    }

    /// Reports SERVING for every service (data recovered, ready for traffic).
    public func markServing() { health.setAll(.serving) }

    /// Reports NOT_SERVING, ends Watch streams, drains in-flight calls within the grace
    /// period, and releases the server.
    public func shutdown() async {
        health.setAll(.notServing)
        health.close()
        await server?.shutdown()
        logger.info("stopped")
    }

    /// A status report with the fields every node has; roles fill in the rest.
    public func baseStatus(state: NodeState) -> NodeStatusReport {
        NodeStatusReport(
            nodeID: identity.nodeID, role: role, address: address, zone: config.node.zone, state: state,
            version: StrataVersion.string, uptimeSeconds: Date().timeIntervalSince(startedAt),
            startedAtUnix: Int64(startedAt.timeIntervalSince1970), requestsServed: server?.callsAccepted ?? 0
        )
    }
}
