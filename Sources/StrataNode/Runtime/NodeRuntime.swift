import Foundation
import Logging
import StrataCore
import StrataMetrics
import StrataRPC
import StrataWire
import Synchronization

/// What every node process shares: the gRPC server with health, its identity, uptime, and
/// the graceful stop on SIGTERM/SIGINT. Roles (worker, coordinator) add their services.
public final class NodeRuntime: Sendable {
    public let role: NodeRole
    public let identity: NodeIdentity
    public let config: StrataConfig
    public let health: HealthService
    public let logger: Logger
    /// This node's metrics; roles add samplers of their state and record their events.
    public let metrics: NodeMetrics
    /// Every service the node serves, health included (what an in-process network routes to).
    public let services: [ServiceDefinition]
    /// The gRPC server; nil for a node reached only in process (`NodeEnvironment.servesGRPC`).
    private let server: RPCServer?
    /// The /metrics listener while it runs, or why it does not (shown in the status notes).
    private let metricsEndpoint = Mutex<(server: MetricsHTTPServer?, problem: String?)>((nil, nil))
    private let startedAt: Date
    private let listenHost: String
    /// "host:port" as other nodes should dial it: `node.advertise_address` when set, else the
    /// listen address with the host name in place of a wildcard host (a worker registering
    /// "0.0.0.0:7401" would send the coordinator to its own loopback); for a node reached only
    /// in process, the listen address as given. Settled once the port is bound.
    public let address: String

    /// Binds the server (not yet serving) unless `servesGRPC` is false. Health starts
    /// NOT_SERVING for every service.
    public init(role: NodeRole, identity: NodeIdentity, config: StrataConfig, listen: String,
                services: [ServiceDefinition], servesGRPC: Bool = true) throws(RPCError) {
        self.role = role
        self.identity = identity
        self.config = config
        self.startedAt = Date()
        metrics = NodeMetrics(countsIngest: role == .coordinator)
        logger = Self.logger(role: role, identity: identity, config: config)
        health = HealthService(services: services.map(\.name))
        listenHost = String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)])
        self.services = services + [health.definition]
        guard servesGRPC else {
            server = nil
            address = config.node.advertiseAddress.isEmpty ? listen : config.node.advertiseAddress
            return
        }
        let server = try RPCServer(
            settings: ServerSettings(
                address: listen,
                completionQueueThreads: config.rpc.threads,
                limits: MessageLimits(maxReceiveBytes: config.rpc.maxMessageBytes, maxSendBytes: config.rpc.maxMessageBytes),
                shutdownGrace: .milliseconds(config.rpc.shutdownGraceMs)
            ),
            services: self.services,
            observer: { [metrics] method, code, duration in
                metrics.recordRPC(path: method, code: code.description, duration: duration)
            }
        )
        self.server = server
        address = config.node.advertiseAddress.isEmpty
            ? "\(Self.dialableHost(listenHost)):\(server.port)" : config.node.advertiseAddress
    }

    /// The bound port (0 without a gRPC server).
    public var port: Int { server?.port ?? 0 }
    /// The listen host, or this machine's host name where the host is a wildcard.
    static func dialableHost(_ host: String) -> String {
        guard ["", "0.0.0.0", "[::]", "::"].contains(host) else { return host }
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Starts serving; health stays NOT_SERVING until the role calls `markServing()`.
    public func start() throws(RPCError) {
        try server?.start()
        logger.info("listening", metadata: ["address": "\(address)", "version": "\(StrataVersion.string)"])
        startMetricsEndpoint()
    }

    /// The configured /metrics port of this node's role (0: disabled).
    private var metricsPort: Int {
        role == .coordinator ? config.coordinator.metricsPort : config.worker.metricsPort
    }

    /// Serves /metrics on the RPC listen host (all interfaces when that is a wildcard). A port
    /// that cannot be bound does not stop the node (its data and RPCs matter more than its
    /// metrics): the error is logged and shown in the status notes, and `metrics_address`
    /// stays empty.
    private func startMetricsEndpoint() {
        let port = metricsPort
        // A node reached only in process has no network endpoints at all.
        guard port != 0, server != nil else { return }
        let address = "\(listenHost):\(port)"
        do {
            // "[::1]" in an address is "::1" to bind; an empty host is every interface.
            let trimmed = listenHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let host = trimmed.isEmpty ? "0.0.0.0" : trimmed
            let endpoint = try MetricsHTTPServer(host: host, port: port) { [metrics] in metrics.render() }
            metricsEndpoint.withLock { $0 = (endpoint, nil) }
            logger.info("serving metrics", metadata: ["address": "\(endpoint.address)", "path": "\(MetricsRoute.path)"])
        } catch {
            let problem = "metrics endpoint disabled: cannot listen on \(address) (\(error))"
            metricsEndpoint.withLock { $0 = (nil, problem) }
            logger.error("cannot serve metrics", metadata: ["address": "\(address)", "error": "\(error)"])
        }
    }

    /// "host:port" of the /metrics endpoint as a scraper should dial it (the host of `address`,
    /// so advertised and wildcard hosts are handled alike), empty when it is disabled or
    /// failed to bind.
    public var metricsAddress: String {
        guard let port = metricsEndpoint.withLock({ $0.server?.port }) else { return "" }
        let dialed = address
        return "\(dialed[..<(dialed.lastIndex(of: ":") ?? dialed.endIndex)]):\(port)"
    }

    /// Reports SERVING for every service (data recovered, ready for traffic).
    public func markServing() { health.setAll(.serving) }

    /// Reports NOT_SERVING, ends Watch streams, drains in-flight calls within the grace
    /// period, and releases the server.
    public func shutdown() async {
        health.setAll(.notServing)
        health.close()
        await server?.shutdown()
        let endpoint = metricsEndpoint.withLock { state -> MetricsHTTPServer? in
            defer { state.server = nil }
            return state.server
        }
        await endpoint?.shutdown()
        logger.info("stopped")
    }

    /// A status report with the fields every node has; roles fill in the rest.
    public func baseStatus(state: NodeState) -> NodeStatusReport {
        NodeStatusReport(
            nodeID: identity.nodeID, role: role, address: address, zone: config.node.zone, state: state,
            version: StrataVersion.string, uptimeSeconds: Date().timeIntervalSince(startedAt),
            startedAtUnix: Int64(startedAt.timeIntervalSince1970), metricsAddress: metricsAddress,
            notes: metricsEndpoint.withLock { $0.problem }.map { [$0] } ?? [], requestsServed: server?.callsAccepted ?? 0
        )
    }

    /// The node's logger (also for parts built before the runtime). The process-wide bootstrap
    /// sets the level too; nodes built in-process (tests) follow their own config instead of
    /// the handler's default.
    static func logger(role: NodeRole, identity: NodeIdentity, config: StrataConfig) -> Logger {
        var logger = Logger(label: "strata.\(role.rawValue)")
        logger.logLevel = Logger.Level(rawValue: config.logging.level) ?? .info
        logger[metadataKey: "node"] = "\(identity.nodeID)"
        return logger
    }
}
