import Dispatch
import Foundation
import Logging
import StrataAuth
import StrataCore
import StrataMetrics
import StrataRPC
import StrataWire
import Synchronization

/// A node's side of cluster security, from its config (docs/security.md): the TLS its server
/// serves (`tls.*`, reloaded on change and on SIGHUP), the credentials its calls to other
/// nodes present (its certificate, the cluster CA, the join secret), and the admission of the
/// node-to-node calls it serves (`NodeAdmission`), whose refusals it logs and counts.
///
/// With no `tls.*` and no join secret (the default) everything here is a no-op: plaintext,
/// and every node call is admitted.
public final class NodeSecurity: Sendable {
    public let tls: TLSConfig
    /// What node-to-node calls to this node must show.
    public let policy: NodeAdmissionPolicy
    /// What this node's calls to other nodes present; nil without TLS. Read again when the
    /// certificate files change, so channels opened after a rotation use the new files.
    private let channelTLS: Mutex<ChannelTLS?>
    private let refusals = Mutex<[RefusalKey: UInt64]>([:])
    private let reloadSignal = Mutex<HangupSource?>(nil)
    let logger: Logger

    struct RefusalKey: Hashable {
        let method: String
        let reason: String
    }

    /// Reads the join secret (file or value) and, with TLS, this node's certificate files;
    /// an unreadable or invalid file is an error that names it.
    public init(config: StrataConfig, logger: Logger) throws {
        tls = config.tls
        self.logger = logger
        policy = NodeAdmissionPolicy(requireCertificate: !config.tls.caFile.isEmpty,
                                     requireBoundWorkerNames: config.tls.bindWorkerIDs,
                                     joinSecret: try Self.joinSecret(config.cluster))
        channelTLS = Mutex(config.tls.isEnabled ? try ChannelTLS(files: Self.files(config.tls)) : nil)
    }

    static func files(_ tls: TLSConfig) -> TLSFiles {
        TLSFiles(certificateChain: tls.certFile, privateKey: tls.keyFile, trustedRoots: tls.caFile.isEmpty ? nil : tls.caFile)
    }

    static func joinSecret(_ cluster: ClusterConfig) throws -> JoinSecret? {
        if !cluster.joinSecretFile.isEmpty {
            guard let data = FileManager.default.contents(atPath: cluster.joinSecretFile) else {
                throw StrataError.invalidArgument("cluster.join_secret_file \(cluster.joinSecretFile) cannot be read")
            }
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            do {
                return try JoinSecret(line.trimmingCharacters(in: .whitespaces))
            } catch {
                throw StrataError.invalidArgument("cluster.join_secret_file \(cluster.joinSecretFile): \(error.message)")
            }
        }
        return cluster.joinSecret.isEmpty ? nil : try JoinSecret(cluster.joinSecret)
    }

    // MARK: Server

    /// How the node's gRPC server secures its port.
    var serverSecurity: ServerSecurity {
        guard tls.isEnabled else { return .insecure }
        let mode: ClientCertificates = switch tls.clientAuth {
        case "none": .none
        case "require": .required
        case "optional": .optional
        default: tls.caFile.isEmpty ? .none : .optional
        }
        return .tls(ServerTLS(
            files: Self.files(tls), clientCertificates: mode,
            reloadCheckInterval: tls.reloadIntervalMs == 0 ? nil : .milliseconds(tls.reloadIntervalMs),
            onReload: { [weak self] event in self?.serverReloaded(event) }))
    }

    private func serverReloaded(_ event: TLSReloadEvent) {
        switch event {
        case .installed(let commonName):
            logger.notice("TLS certificates reloaded", metadata: ["cn": "\(commonName ?? "-")", "cert_file": "\(tls.certFile)"])
            reloadChannelCredentials()
        case .refused(let error):
            logger.error("TLS certificates not reloaded; the current ones stay in use", metadata: ["error": "\(error.message)"])
        }
    }

    /// Reads this node's certificate files again for the calls it makes from now on.
    func reloadChannelCredentials() {
        guard tls.isEnabled else { return }
        do {
            let fresh = try ChannelTLS(files: Self.files(tls))
            channelTLS.withLock { $0 = fresh }
        } catch {
            logger.error("client certificates not reloaded", metadata: ["error": "\(error.message)"])
        }
    }

    /// On SIGHUP: `reload` (the server's certificates) and this node's client credentials.
    /// Only with TLS; without it SIGHUP keeps its default meaning.
    func reloadOnHangup(_ reload: @escaping @Sendable () -> Void) {
        guard tls.isEnabled else { return }
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { @Sendable [weak self] in
            self?.logger.notice("SIGHUP: reloading TLS certificates")
            reload()
            self?.reloadChannelCredentials()
        }
        source.resume()
        let box = HangupSource(source)
        reloadSignal.withLock { $0?.source.cancel(); $0 = box }
    }

    /// Stops listening for SIGHUP.
    func stopReloading() {
        reloadSignal.withLock { $0?.source.cancel(); $0 = nil }
    }

    // MARK: Calls to other nodes

    /// Opens transports to other nodes: over TLS with this node's certificate when TLS is on
    /// (for a node that serves gRPC; an in-process simulation keeps its own network), and
    /// with the join secret on every call when one is set.
    func connector(_ environment: NodeEnvironment, limits: MessageLimits) -> @Sendable (String) -> any RPCTransport {
        let metadata = policy.joinSecret.map { [(key: JoinSecret.metadataKey, value: $0.value)] } ?? []
        return { [self] address in
            let transport: any RPCTransport
            if environment.servesGRPC, let credentials = channelTLS.withLock({ $0 }) {
                transport = RPCChannel(target: address, limits: limits, security: .tls(credentials))
            } else {
                transport = environment.connect(address, limits)
            }
            return metadata.isEmpty ? transport : MetadataTransport(transport, adding: metadata)
        }
    }

    // MARK: Admission of node calls

    /// Admits a node-to-node call or throws UNAUTHENTICATED / PERMISSION_DENIED (logged and
    /// counted in `strata_node_admission_refused_total`).
    @discardableResult
    func admit(_ context: ServerContext, allowed: Set<StrataAuth.NodeRole>, actingAs: String? = nil) throws(StrataError) -> NodeCaller {
        guard !policy.isOpen else { return .unverified }
        let evidence = NodeCallEvidence(verifiedCommonName: context.peer.verifiedCommonName,
                                        joinSecret: context.metadataValue(JoinSecret.metadataKey))
        let decision = NodeAdmission.decide(policy, evidence, allowed: allowed, actingAs: actingAs)
        guard let error = decision.error else { return try decision.caller() }
        let method = String(context.method.split(separator: "/").last ?? "")
        let reason = error.code == .unauthenticated ? "unauthenticated" : "permission_denied"
        refusals.withLock { $0[RefusalKey(method: method, reason: reason), default: 0] += 1 }
        logger.warning("node call refused", metadata: [
            "method": "\(context.method)", "peer": "\(context.peer.address)",
            "cn": "\(context.peer.commonName ?? "-")", "reason": "\(error.message)",
        ])
        throw error
    }

    /// Who may call each worker RPC (docs/security.md, "Node admission"); a method missing
    /// here is the coordinator's only.
    static let workerCallers: [String: Set<StrataAuth.NodeRole>] = [
        MethodPath.workerStreamSlot: [.coordinator, .worker],
        MethodPath.workerStatus: [.coordinator, .worker],
    ]

    /// The worker service with every call admitted by the table above.
    func guardingWorker(_ service: ServiceDefinition) -> ServiceDefinition {
        guard !policy.isOpen else { return service }
        return service.guarded { [self] path, context in
            try admit(context, allowed: Self.workerCallers[path] ?? [.coordinator])
        }
    }

    /// `strata_node_admission_refused_total{method, reason}`.
    func samples() -> [MetricSample] {
        refusals.withLock { $0 }.sorted { ($0.key.method, $0.key.reason) < ($1.key.method, $1.key.reason) }.map {
            MetricSample("strata_node_admission_refused_total", .counter, Double($0.value),
                         labels: [.init("method", $0.key.method), .init("reason", $0.key.reason)],
                         help: "Node-to-node calls refused by admission (no or wrong certificate or join secret), by method and reason.")
        }
    }
}

extension NodeSecurity {
    /// Admits a membership call (RegisterWorker, Heartbeat): a worker, acting as `nodeID`.
    func admitWorker(_ context: ServerContext, actingAs nodeID: String) throws(StrataError) {
        try admit(context, allowed: [.worker], actingAs: nodeID)
    }
}

/// The SIGHUP dispatch source; set up once and only cancelled after (hence unchecked).
final class HangupSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
