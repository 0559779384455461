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
    private let server: RPCServer
    private let startedAt: Date
    private let listenHost: String
    private let advertised: String

    /// Binds the server (not yet serving). Health starts NOT_SERVING for every service.
    public init(role: NodeRole, identity: NodeIdentity, config: StrataConfig, listen: String,
                services: [ServiceDefinition]) throws(RPCError) {
        self.role = role
        self.identity = identity
        self.config = config
        self.startedAt = Date()
        var logger = Logger(label: "strata.\(role.rawValue)")
        logger[metadataKey: "node"] = "\(identity.nodeID)"
        self.logger = logger
        health = HealthService(services: services.map(\.name))
        listenHost = String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)])
        advertised = config.node.advertiseAddress
        server = try RPCServer(
            settings: ServerSettings(
                address: listen,
                completionQueueThreads: config.rpc.threads,
                limits: MessageLimits(maxReceiveBytes: config.rpc.maxMessageBytes, maxSendBytes: config.rpc.maxMessageBytes),
                shutdownGrace: .milliseconds(config.rpc.shutdownGraceMs)
            ),
            services: services + [health.definition]
        )
    }

    /// The bound port.
    public var port: Int { server.port }
    /// "host:port" as other nodes should dial it: `node.advertise_address` when set, else the
    /// listen address with the host name in place of a wildcard host (a worker registering
    /// "0.0.0.0:7401" would send the coordinator to its own loopback).
    public var address: String {
        if !advertised.isEmpty { return advertised }
        return "\(Self.dialableHost(listenHost)):\(port)"
    }

    /// The listen host, or this machine's host name where the host is a wildcard.
    static func dialableHost(_ host: String) -> String {
        guard ["", "0.0.0.0", "[::]", "::"].contains(host) else { return host }
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Starts serving; health stays NOT_SERVING until the role calls `markServing()`.
    public func start() throws(RPCError) {
        try server.start()
        logger.info("listening", metadata: ["address": "\(address)", "version": "\(StrataVersion.string)"])
    }

    /// Reports SERVING for every service (data recovered, ready for traffic).
    public func markServing() { health.setAll(.serving) }

    /// Reports NOT_SERVING, ends Watch streams, drains in-flight calls within the grace
    /// period, and releases the server.
    public func shutdown() async {
        health.setAll(.notServing)
        health.close()
        await server.shutdown()
        logger.info("stopped")
    }

    /// A status report with the fields every node has; roles fill in the rest.
    public func baseStatus(state: NodeState) -> NodeStatusReport {
        NodeStatusReport(
            nodeID: identity.nodeID, role: role, address: address, zone: config.node.zone, state: state,
            version: StrataVersion.string, uptimeSeconds: Date().timeIntervalSince(startedAt),
            startedAtUnix: Int64(startedAt.timeIntervalSince1970), requestsServed: server.callsAccepted
        )
    }
}
