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
    /// TLS, node credentials and node-call admission (docs/security.md).
    public let security: NodeSecurity
    /// The node's services and its gRPC server, set once by `bind` (see there for why late).
    private let bound = Mutex<Bound?>(nil)
    /// The /metrics listener while it runs, or why it does not (shown in the status notes).
    private let metricsEndpoint = Mutex<(server: MetricsHTTPServer?, problem: String?)>((nil, nil))
    private let startedAt: Date
    private let listen: String
    private let listenHost: String
    private let servesGRPC: Bool

    /// What `bind` settles: the services (health included) and the server bound with them.
    private struct Bound {
        var services: [ServiceDefinition]
        /// nil for a node reached only in process (`NodeEnvironment.servesGRPC`).
        var server: RPCServer?
        var address: String
    }

    /// What the node has before its services exist: identity, logger, metrics, security,
    /// health. Nothing is bound until `bind`.
    public init(role: NodeRole, identity: NodeIdentity, config: StrataConfig, listen: String,
                security: NodeSecurity, servesGRPC: Bool = true) {
        self.role = role
        self.identity = identity
        self.config = config
        self.startedAt = Date()
        metrics = NodeMetrics(countsIngest: role == .coordinator)
        logger = Self.logger(role: role, identity: identity, config: config)
        self.security = security
        metrics.addSampler { security.samples() }
        health = HealthService(services: [])
        self.listen = listen
        listenHost = String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)])
        self.servesGRPC = servesGRPC
    }

    /// Binds the server (not yet serving) with `services` and health, unless `servesGRPC` is
    /// false. Health starts NOT_SERVING for every service. A node calls this once, at the end of
    /// its init: its handlers hold the node (weakly), so they are made once the node exists.
    public func bind(_ services: [ServiceDefinition]) throws(RPCError) {
        precondition(bound.withLock { $0 == nil }, "a node's services are registered once")
        health.register(services.map(\.name))
        let services = services + [health.definition]
        guard servesGRPC else {
            let address = config.node.advertiseAddress.isEmpty ? listen : config.node.advertiseAddress
            bound.withLock { $0 = Bound(services: services, server: nil, address: address) }
            return
        }
        let server = try RPCServer(
            settings: ServerSettings(
                address: listen,
                completionQueueThreads: config.rpc.threads,
                limits: MessageLimits(maxReceiveBytes: config.rpc.maxMessageBytes, maxSendBytes: config.rpc.maxMessageBytes),
                security: security.serverSecurity,
                shutdownGrace: .milliseconds(config.rpc.shutdownGraceMs)
            ),
            services: services,
            observer: { [metrics] method, code, duration in
                metrics.recordRPC(path: method, code: code.description, duration: duration)
            }
        )
        let address = config.node.advertiseAddress.isEmpty
            ? "\(Self.dialableHost(listenHost)):\(server.port)" : config.node.advertiseAddress
        bound.withLock { $0 = Bound(services: services, server: server, address: address) }
    }

    /// Every service the node serves, health included (what an in-process network routes to).
    public var services: [ServiceDefinition] { bound.withLock { $0?.services ?? [] } }

    /// "host:port" as other nodes should dial it: `node.advertise_address` when set, else the
    /// listen address with the host name in place of a wildcard host (a worker registering
    /// "0.0.0.0:7401" would send the coordinator to its own loopback); for a node reached only
    /// in process, the listen address as given. Settled once the port is bound (`bind`).
    public var address: String {
        bound.withLock { $0?.address } ?? (config.node.advertiseAddress.isEmpty ? listen : config.node.advertiseAddress)
    }

    /// The gRPC server; nil before `bind` and for a node reached only in process.
    private var server: RPCServer? { bound.withLock { $0?.server } }

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
    /// `allowingScrape` decides /metrics requests by their `Authorization` header
    /// (`metrics.require_token`); nil: every scrape is answered.
    public func start(allowingScrape: (@Sendable (String?) -> Bool)? = nil) throws(RPCError) {
        try server?.start()
        logger.info("listening", metadata: ["address": "\(address)", "version": "\(StrataVersion.string)",
                                            "tls": "\(security.tls.isEnabled ? "on" : "off")"])
        if let server {
            security.reloadOnHangup { [logger] in
                do { try server.reloadCertificates() } catch {
                    logger.error("TLS certificates not reloaded on SIGHUP", metadata: ["error": "\(error)"])
                }
            }
        }
        startMetricsEndpoint(allowingScrape: allowingScrape)
    }

    /// The configured /metrics port of this node's role (0: disabled).
    private var metricsPort: Int {
        role == .coordinator ? config.coordinator.metricsPort : config.worker.metricsPort
    }

    /// Serves /metrics on the RPC listen host (all interfaces when that is a wildcard). A port
    /// that cannot be bound does not stop the node (its data and RPCs matter more than its
    /// metrics): the error is logged and shown in the status notes, and `metrics_address`
    /// stays empty.
    private func startMetricsEndpoint(allowingScrape: (@Sendable (String?) -> Bool)?) {
        // `metrics.listen` puts /metrics on an address of its own (a private interface).
        let listen = config.metrics.listen
        let separator = listen.lastIndex(of: ":")
        let metricsHost = separator.map { String(listen[..<$0]) } ?? listenHost
        let port = separator.flatMap { Int(listen[listen.index(after: $0)...]) } ?? metricsPort
        // A node reached only in process has no network endpoints at all.
        guard port != 0 || !listen.isEmpty, server != nil else { return }
        let address = "\(metricsHost):\(port)"
        do {
            // "[::1]" in an address is "::1" to bind; an empty host is every interface.
            let trimmed = metricsHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let host = trimmed.isEmpty ? "0.0.0.0" : trimmed
            let endpoint = try MetricsHTTPServer(host: host, port: port, authorize: allowingScrape) { [metrics] in metrics.render() }
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
        guard let endpoint = metricsEndpoint.withLock({ $0.server }) else { return "" }
        let port = endpoint.port
        let listen = config.metrics.listen
        if let colon = listen.lastIndex(of: ":"), !["", "0.0.0.0", "[::]", "::"].contains(String(listen[..<colon])) {
            return endpoint.address
        }
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
        security.stopReloading()
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
