import Foundation
import Logging
import StrataCluster
import StrataControlPlane
import StrataCore
import StrataEmbed
import StrataMetrics
import StrataRPC
import StrataWire
import Synchronization

/// The coordinator process's shell: serves `strata.v1.Coordinator`, `strata.v1.Membership`
/// and health, and runs the failure detector on a timer.
public final class CoordinatorNode: Sendable {
    public let runtime: NodeRuntime
    let membership: CoordinatorMembership
    let namespaces: NamespaceRegistry
    let ingest: CoordinatorIngest
    let deletes: CoordinatorDeletes
    let queries: CoordinatorQuery
    let documents: CoordinatorDocuments
    let syncs: SyncRegistry
    /// Brings the document tally up to the replicas (coordinators on etcd).
    let tallies: TallyCatchUp
    /// Whether a leader on etcd has read the changes its predecessors made into its tally
    /// (until then it refuses ListDocuments, whose answers would miss them).
    let tallyCurrent = Mutex<Bool>(false)
    let embedding: CoordinatorEmbedding
    /// Client tokens and scopes (`auth.*`).
    let access: CoordinatorAccess
    let controlPlane: CoordinatorControlPlane
    /// The election and the control-plane watch (coordinators on etcd).
    let leadershipTasks = Mutex<[Task<Void, Never>]>([])
    /// Orders the writes of the shared namespace settings.
    let namespaceGeneration = Mutex<UInt64>(0)
    /// Orders the writes of the shared sync records.
    let syncGeneration = Mutex<UInt64>(0)
    private let ticker = TickerTask()
    private let environment: NodeEnvironment

    /// Loads the identity, the persisted cluster map and namespaces from the data directory
    /// and binds the listen address (`environment`: see `NodeEnvironment`). The control plane
    /// is the data directory's files; a coordinator on etcd starts with `open`.
    public convenience init(config: StrataConfig, environment: NodeEnvironment = .production) throws {
        guard config.coordinator.etcdEndpointList.isEmpty else {
            throw StrataError(.internal, "a coordinator on etcd (coordinator.etcd_endpoints) starts with CoordinatorNode.open")
        }
        let (plane, snapshot) = try CoordinatorControlPlane.local(dataDirectory: config.node.dataDir)
        try self.init(config: config, environment: environment, controlPlane: plane, snapshot: snapshot)
        try plane.persistNow(membership.initialRecords)
    }

    /// Starts a coordinator on either control plane: the data directory's files, or etcd
    /// (`coordinator.etcd_endpoints`) where it campaigns for leadership once started.
    public static func open(config: StrataConfig, environment: NodeEnvironment = .production) async throws -> CoordinatorNode {
        guard !config.coordinator.etcdEndpointList.isEmpty else { return try CoordinatorNode(config: config, environment: environment) }
        let plane = try CoordinatorControlPlane.etcd(config)
        let snapshot: ControlPlaneSnapshot
        do {
            snapshot = try await plane.store.load()
        } catch {
            throw StrataError(.unavailable, "etcd is unavailable: cannot read the control plane: \(error.message)")
        }
        plane.depose("not elected yet")
        return try CoordinatorNode(config: config, environment: environment, controlPlane: plane, snapshot: snapshot)
    }

    init(config: StrataConfig, environment: NodeEnvironment, controlPlane: CoordinatorControlPlane, snapshot: ControlPlaneSnapshot) throws {
        self.environment = environment
        self.controlPlane = controlPlane
        let identity = try NodeIdentity.loadOrCreate(in: config.node.dataDir, prefix: "coordinator")
        membership = try CoordinatorMembership(
            config: config, logger: NodeRuntime.logger(role: .coordinator, identity: identity, config: config), now: environment.now,
            controlPlane: controlPlane, snapshot: snapshot)
        namespaces = try NamespaceRegistry(dataDirectory: config.node.dataDir)
        syncs = try SyncRegistry(dataDirectory: config.node.dataDir, staleAfterMs: config.coordinator.syncStaleMs)
        let limits = MessageLimits(maxReceiveBytes: config.rpc.maxMessageBytes, maxSendBytes: config.rpc.maxMessageBytes)
        let security = try NodeSecurity(config: config, logger: NodeRuntime.logger(role: .coordinator, identity: identity, config: config))
        access = try CoordinatorAccess(config: config, logger: NodeRuntime.logger(role: .coordinator, identity: identity, config: config),
                                       shared: controlPlane.isEtcd ? controlPlane : nil, sharedRecord: snapshot[.tokens])
        let channels = WorkerChannels(connect: security.connector(environment, limits: limits))
        let replicator = SlotReplicator(membership: membership, channels: channels, timeout: .seconds(30))
        tallies = TallyCatchUp(namespaces: namespaces, membership: membership, channels: channels)
        let library = EmbedderLibrary(modelsDirectory: ModelsDirectory.resolve(configured: config.embedding.modelsDir),
                                      threads: config.embedding.threads)
        embedding = CoordinatorEmbedding(library: library, namespaces: namespaces, membership: membership, channels: channels,
                                         replicator: replicator, batchChunks: config.embedding.batchChunks,
                                         logger: Self.embeddingLogger(config))
        queries = CoordinatorQuery(namespaces: namespaces, membership: membership, channels: channels, limits: config.query,
                                   latencies: LatencyBook(settings: try LatencyTracker.Settings(config.query)), embedding: embedding,
                                   staleReason: { [controlPlane] in controlPlane.freshness?.staleReason() })
        documents = CoordinatorDocuments(namespaces: namespaces, membership: membership, channels: channels)
        runtime = NodeRuntime(role: .coordinator, identity: identity, config: config, listen: config.coordinator.listen,
                              security: security, servesGRPC: environment.servesGRPC)
        var ingest = CoordinatorIngest(namespaces: namespaces, membership: membership, replicator: replicator,
                                       maxChunkBytes: config.storage.maxChunkBytes)
        ingest.onStored = { [metrics = runtime.metrics] documents, chunks, tokens in
            metrics.recordIngest(documents: documents, chunks: chunks, tokens: tokens)
        }
        ingest.onChunksStored = { [embedding, namespaces] namespace, chunks in
            if (try? namespaces.settings(namespace))?.embedder != nil { embedding.noteIngested(namespace, chunks: chunks) }
        }
        self.ingest = ingest
        deletes = CoordinatorDeletes(namespaces: namespaces, membership: membership, replicator: replicator)
        try runtime.bind(Self.services(HandlerReference(self, role: .coordinator), access: access, security: security))
        runtime.metrics.addSampler { [weak self] in
            guard let self else { return [] }
            return NodeSeries.samples(self.status()) + ClusterSeries.samples(self.clusterGauges())
                + self.access.samples() + self.acknowledgementSamples()
                + EmbeddingSeries.samples(self.embedding.statuses().map {
                    EmbeddingGauges(namespace: $0.namespace, backlogChunks: $0.backlogChunks, embeddedChunks: $0.embeddedChunks)
                })
        }
    }

    /// The coordinator's services: `strata.v1.Coordinator` (behind the client tokens and with
    /// paths redacted from errors), `strata.v1.Membership` (behind worker admission) and
    /// `strata.v1.Tokens`. Every handler reaches the coordinator through `node`.
    private static func services(_ node: HandlerReference<CoordinatorNode>, access: CoordinatorAccess,
                                 security: NodeSecurity) -> [ServiceDefinition] {
        var coordinator = ServiceDefinition(name: StrataServiceName.coordinator)
        coordinator.unary("GetNodeStatus", NodeStatusRequest.self, NodeStatusMessage.self) { request, _ in
            try node().nodeStatus(request.nodeID)
        }
        coordinator.unary("GetClusterStatus", ClusterStatusRequest.self, ClusterStatusResponse.self) { _, _ in
            try node().clusterStatus()
        }
        coordinator.unary("CreateNamespace", CreateNamespaceRequest.self, NamespaceInfo.self) { request, _ in
            let coordinator = try node.leader()
            let created = try coordinator.createNamespace(request)
            try await coordinator.publishNamespaces()
            return created
        }
        coordinator.unary("ListNamespaces", ListNamespacesRequest.self, ListNamespacesResponse.self) { _, context in
            let coordinator = try node()
            let grant = try coordinator.access.require(context, .observe)
            return ListNamespacesResponse(namespaces: coordinator.listNamespaces().filter { coordinator.access.canRead(grant, $0.name) })
        }
        coordinator.unary("DropNamespace", DropNamespaceRequest.self, DropNamespaceResponse.self) { request, _ in
            let coordinator = try node.leader()
            let dropped = try await coordinator.deletes.drop(request)
            try coordinator.syncs.forget(request.name)
            try await coordinator.publishNamespaces()
            try await coordinator.publishSyncs()
            return dropped
        }
        coordinator.unary("DeleteDocuments", DeleteDocumentsRequest.self, DeleteDocumentsResponse.self) { request, context in
            let coordinator = try node.leader()
            try coordinator.access.require(context, .write(namespace: request.namespace))
            return try await coordinator.deletes.delete(request)
        }
        coordinator.serverStreaming("Query", QueryRequest.self, QueryResponse.self) { request, writer, context in
            let coordinator = try node()
            try coordinator.access.require(context, .read(namespace: request.namespace))
            try await coordinator.queries.query(request, writer, context)
        }
        coordinator.clientStreaming("Ingest", IngestRequest.self, IngestSummary.self) { requests, context in
            let coordinator = try node.leader()
            return try await coordinator.ingest.ingest(requests) { namespace throws(StrataError) in
                try coordinator.access.require(context, .write(namespace: namespace))
            }
        }
        registerDocumentMethods(&coordinator, node)
        var members = ServiceDefinition(name: StrataServiceName.membership)
        // A refused registration or heartbeat never reaches the membership (placement, quorum).
        members.unary("RegisterWorker", RegisterRequest.self, RegisterResponse.self) { request, context in
            try security.admitWorker(context, actingAs: request.nodeID)
            return try await node().membership.register(request)
        }
        members.unary("Heartbeat", HeartbeatRequest.self, HeartbeatResponse.self) { request, context in
            try security.admitWorker(context, actingAs: request.nodeID)
            return try await node().membership.heartbeat(request)
        }
        // What clients see never names a path on a node's disk (a full disk, a file that
        // cannot be written): the status keeps its code, the message loses the path.
        let clientFacing = access.guarding(coordinator).mappingErrors { error in
            let status = RPCError(mapping: error)
            return RPCError(status.code, PathRedaction.redact(status.message), metadata: status.metadata)
        }
        return [clientFacing, members, access.guarding(access.tokenService())]
    }

    public func start() throws {
        let access = self.access
        let allowingScrape: (@Sendable (String?) -> Bool)? = runtime.config.metrics.requireToken
            ? { @Sendable in access.allowsScrape(authorization: $0) } : nil
        try runtime.start(allowingScrape: allowingScrape)
        startLeadership()
        if environment.runsTimers {
            let interval = Duration.milliseconds(runtime.config.coordinator.heartbeatIntervalMs)
            ticker.start(every: interval) { [weak self] in await self?.runTimersOnce() }
            embedding.start()
        }
        runtime.markServing()
    }

    /// One round of server-side embedding (the owner calls it when the environment runs no
    /// timers; otherwise a background loop does). True when it embedded anything.
    @discardableResult
    public func runEmbeddingOnce() async -> Bool { await embedding.runOnce() }

    /// Creates a namespace. One with an embedder is created only when its model loads here, so
    /// a missing model is a clear FAILED_PRECONDITION now rather than a backlog that never drains.
    func createNamespace(_ request: CreateNamespaceRequest) throws -> NamespaceInfo {
        try NamespaceRules.validate(request)
        if !request.embedder.isEmpty { _ = try embedding.library.embedder(request.embedder) }
        return try namespaces.create(request)
    }

    private static func embeddingLogger(_ config: StrataConfig) -> Logger {
        var logger = Logger(label: "strata.coordinator.embedding")
        logger.logLevel = Logger.Level(rawValue: config.logging.level) ?? .info
        return logger
    }

    /// Every namespace with its size and embedding backlog.
    func listNamespaces() -> [NamespaceInfo] {
        namespaces.list().map { info in
            var info = info
            info.embeddingBacklog = embedding.backlog(info.name)
            return info
        }
    }

    /// What the timer does each heartbeat interval: runs the failure detector (and plans
    /// recovery). Called by the owner instead when the environment runs no timers.
    public func runTimersOnce() async {
        do {
            try await membership.tick()
        } catch {
            runtime.logger.error("failure detector tick failed", metadata: ["error": "\(error)"])
        }
    }

    public func shutdown() async {
        stopLeadership()
        ticker.stop()
        await embedding.stop()
        await runtime.shutdown()
        await controlPlane.close()
    }

    public func status() -> NodeStatusReport {
        var report = runtime.baseStatus(state: runtime.health.status(of: "") == .serving ? .serving : .starting)
        report.controlPlane = controlPlaneStatus()
        return report
    }

    /// Medians of the recent ingest batches' acknowledgement times and of the high-water-mark
    /// commits within them (what the control plane adds to an acknowledgement).
    func acknowledgementSamples() -> [MetricSample] {
        let batches = ingest.batchLatencies.median(), marks = controlPlane.markCommitLatencies.median()
        return [
            MetricSample("strata_coordinator_ingest_batch_ack_median_seconds", .gauge, batches.seconds,
                         help: "Median time of the last 4096 ingest batches from arrival to acknowledgement."),
            MetricSample("strata_coordinator_ingest_batches_total", .counter, Double(batches.count), help: "Ingest batches handled."),
            MetricSample("strata_coordinator_mark_commit_median_seconds", .gauge, marks.seconds,
                         help: "Median wait of the last 4096 high-water-mark commits in the control plane (part of each acknowledgement)."),
            MetricSample("strata_coordinator_mark_commits_total", .counter, Double(marks.count),
                         help: "High-water marks recorded durable before an acknowledgement."),
        ]
    }

    /// Each slot's high-water sequence as the coordinator's map has it.
    public func slotHighWaterMarks() -> [Int: UInt64] { membership.highWaterMarks() }

    /// The coordinator itself (empty id) or a worker as last heard from.
    func nodeStatus(_ nodeID: String) throws(StrataError) -> NodeStatusMessage {
        if nodeID.isEmpty || nodeID == runtime.identity.nodeID { return NodeStatusMessage(status()) }
        let snapshot = membership.snapshot()
        guard let worker = snapshot.workers.first(where: { $0.id == nodeID }) else {
            throw StrataError.notFound("node \(nodeID) is not a member of this cluster")
        }
        return NodeStatusMessage(Self.report(worker, snapshot.reports[worker.id]))
    }

    /// The cluster: nodes, slot replication, transfers.
    func clusterStatus() -> ClusterStatusResponse {
        let snapshot = membership.snapshot()
        let config = runtime.config.coordinator
        let quorum = (try? WriteQuorum(config))?.required(replicationFactor: snapshot.status.targetReplicas) ?? 0
        return ClusterStatusResponse(
            clusterID: snapshot.clusterID, slotCount: UInt32(snapshot.status.slotCount),
            replicationFactor: UInt32(snapshot.status.targetReplicas), writeQuorum: UInt32(quorum),
            nodes: [status()] + otherCoordinators() + snapshot.workers.map { Self.report($0, snapshot.reports[$0.id]) },
            slotsFullyReplicated: UInt32(snapshot.status.fullyReplicated),
            slotsUnderReplicated: UInt32(snapshot.status.underReplicated),
            slotsUnavailable: UInt32(snapshot.status.unavailable),
            transfers: membership.transfers(),
            mapVersion: snapshot.status.mapVersion,
            embeddings: embedding.statuses())
    }

    /// What the coordinator knows of a worker: its map record and its last heartbeat (the
    /// worker's own status RPC has the full detail).
    static func report(_ worker: WorkerRecord, _ heartbeat: HeartbeatRequest?) -> NodeStatusReport {
        let state: NodeState = switch worker.state {
        case .live: worker.draining ? .draining : .serving
        case .suspect: .suspect
        case .dead: .dead
        }
        return NodeStatusReport(
            nodeID: worker.id, role: .worker, address: worker.address, zone: worker.zone, state: state,
            version: "", uptimeSeconds: 0, startedAtUnix: 0, tiers: heartbeat?.tiers ?? [],
            walBytes: heartbeat?.walBytes ?? 0, segmentBytes: heartbeat?.segmentBytes ?? 0,
            slots: worker.positions.sorted { $0.key < $1.key }.map { SlotPosition(slot: $0.key, sequence: $0.value) })
    }
}
