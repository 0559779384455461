import Foundation
import StrataCore
import StrataMetrics
import StrataRPC
import StrataSearch
import StrataStore
import StrataWire
import Synchronization

/// The worker process's shell: serves `strata.v1.Worker` and health over its chunk store.
///
/// Start-up order: bind and serve with health NOT_SERVING, open (recover) the store, then
/// report SERVING -- so probes see a worker that is recovering its data as not ready.
public final class WorkerNode: Sendable {
    public let runtime: NodeRuntime
    let storeDirectory: String
    private let storeSettings: StoreSettings
    private let store = Mutex<ChunkStore?>(nil)
    private let membership = Mutex<WorkerMembership?>(nil)
    /// The in-memory search index over the store's slots (built in `start`).
    let searchIndex: SlotSearchIndex
    let slotWriteLocks = SlotWriteLocks()
    /// The index's per-slot snapshots, written at shutdown and read back at start.
    let indexSnapshots: SearchIndexSnapshots
    private let restoredIndex = Mutex<SearchIndexSnapshots.Restore?>(nil)
    /// Writes the snapshots of changed slots every `worker.index_snapshot_interval_ms`.
    private let snapshotTicker = TickerTask()
    /// The slots this worker may hold (0..<S, S from the coordinator).
    let slotRange: WorkerSlotRange
    /// Refuses the commands of a deposed coordinator leadership.
    let epochFence: CoordinatorEpochFence
    private let environment: NodeEnvironment

    /// Loads the identity from the data directory and binds the listen address
    /// (`environment`: see `NodeEnvironment`).
    public init(config: StrataConfig, environment: NodeEnvironment = .production) throws {
        self.environment = environment
        let identity = try NodeIdentity.loadOrCreate(in: config.node.dataDir, prefix: "worker")
        storeDirectory = config.node.dataDir + "/store"
        storeSettings = StoreSettings(config: config)
        indexSnapshots = SearchIndexSnapshots(directory: config.node.dataDir + "/search-index")
        let logger = NodeRuntime.logger(role: .worker, identity: identity, config: config)
        searchIndex = SlotSearchIndex(settings: SearchSettings(maximumTopK: config.query.maxTopK),
                                        defaultTopK: config.query.defaultTopK, defaultLexicalWeight: config.query.lexicalWeight,
                                        vectorIndexes: Self.vectorIndexes(config, logger: logger))
        let security = try NodeSecurity(config: config, logger: logger)
        runtime = NodeRuntime(role: .worker, identity: identity, config: config, listen: config.worker.listen,
                              security: security, servesGRPC: environment.servesGRPC)
        slotRange = WorkerSlotRange(dataDirectory: config.node.dataDir, configured: config.coordinator.slots, logger: runtime.logger)
        epochFence = try CoordinatorEpochFence(dataDirectory: config.node.dataDir)
        // Every worker RPC passes the admission guard before its request is decoded.
        try runtime.bind([security.guardingWorker(Self.service(HandlerReference(self, role: .worker)))])
        runtime.metrics.addSampler { [weak self] in self.map { NodeSeries.samples($0.status()) } ?? [] }
    }

    /// `strata.v1.Worker`: every handler reaches the worker through `worker`.
    private static func service(_ worker: HandlerReference<WorkerNode>) -> ServiceDefinition {
        var service = ServiceDefinition(name: StrataServiceName.worker)
        service.unary("Status", WorkerStatusRequest.self, NodeStatusMessage.self) { _, _ in
            NodeStatusMessage(try worker().status())
        }
        registerSlotMethods(&service, worker)
        registerSearchMethods(&service, worker)
        registerDocumentMethods(&service, worker)
        registerEmbeddingMethods(&service, worker)
        return service
    }

    /// Serves (NOT_SERVING), recovers the store, then reports SERVING.
    public func start() throws {
        let scrapeTokens = WorkerScrapeTokens(config: runtime.config)
        let allowingScrape: (@Sendable (String?) -> Bool)? = runtime.config.metrics.requireToken ? { @Sendable in scrapeTokens.allows($0) } : nil
        try runtime.start(allowingScrape: allowingScrape)
        let started = ContinuousClock.now
        // The index snapshots are read, checked and decoded while the store recovers (they
        // need no store): restore then only compares their positions with the store's.
        let readAhead = BackgroundValue { [indexSnapshots, searchIndex] in indexSnapshots.readAhead(for: searchIndex) }
        reclaimOrphanedWarmTiers()
        let logger = runtime.logger
        let opened: ChunkStore
        do {
            opened = try ChunkStore.open(
                directory: storeDirectory, settings: storeSettings, node: runtime.identity.nodeID,
                warmReservationFailed: { failures, error in
                    logger.warning("warm tier bypassed: shared memory could not be reserved", metadata: [
                        "failures": "\(failures)", "error": "\(error.message)",
                    ])
                })
        } catch {
            _ = readAhead.wait()
            throw error
        }
        // The index is built before the store is published, so no write can reach the store
        // without reaching the index: read back from the slots' snapshots where they match
        // the store, rebuilt from the store's chunks elsewhere.
        let indexing = ContinuousClock.now
        let storeOpenTook = indexing - started
        let restore: SearchIndexSnapshots.Restore
        do {
            restore = try indexSnapshots.restore(into: searchIndex, from: opened, readAhead: readAhead.wait())
        } catch {
            opened.close()
            throw error
        }
        let indexTook = ContinuousClock.now - indexing
        restoredIndex.withLock { $0 = restore; $0?.took = indexTook }
        store.withLock { $0 = opened }
        // The store holds every vector: shards drop theirs once an IVF index serves them.
        searchIndex.attachStoredVectors { [weak opened] namespace, hash in
            (try? opened?.storedVector(StrataStore.ChunkRef(namespace: namespace, hash: hash))).flatMap { $0 }.map(HalfPrecision.rounded)
        }
        let stats = opened.persistentStats()
        let warm = opened.warmRecovery
        runtime.logger.info("store ready", metadata: [
            "chunks": "\(stats.entries)", "segments": "\(stats.segmentCount)",
            "took": "\(ContinuousClock.now - started)", "store open took": "\(storeOpenTook)",
            "index build took": "\(indexTook)", "index": "\(restore)",
            "index snapshots checked took": "\(restore.checkTook)", "index snapshot bytes checked": "\(restore.checkedBytes)",
            "index snapshots decoded took": "\(restore.decodeTook)", "warm tier": "\(warm.summary)",
        ])
        runtime.markServing()
        searchIndex.startVectorIndexes()
        startMembership()
        startSnapshotTicker()
    }

    /// Snapshots of the slots written since the last ones, every interval (none when the
    /// interval is 0 or the environment runs no timers): a restart after a crash then rebuilds
    /// only what changed since.
    private func startSnapshotTicker() {
        let interval = runtime.config.worker.indexSnapshotIntervalMs
        guard interval > 0, environment.runsTimers else { return }
        snapshotTicker.start(every: .milliseconds(interval)) { [weak self] in
            guard let self, let store = self.store.withLock({ $0 }) else { return }
            self.saveIndexSnapshots(store)
        }
    }

    /// Writes the snapshots of changed slots. A failed save costs only the next start's time
    /// (it rebuilds those slots), so it is logged, not thrown.
    private func saveIndexSnapshots(_ store: ChunkStore) {
        do throws(StrataError) { try indexSnapshots.save(searchIndex, store: store, locks: slotWriteLocks) } catch {
            runtime.logger.warning("search index snapshots not written", metadata: ["error": "\(error.message)"])
        }
    }

    /// How the last start filled the search index: slots read back from their snapshots and
    /// slots rebuilt from the store (nil before the store is open).
    public var indexRestore: (loaded: Int, rebuilt: Int)? {
        restoredIndex.withLock { $0.map { ($0.loaded, $0.rebuilt) } }
    }

    /// How long the last start took to fill the search index (nil before the store is open).
    public var indexRestoreDuration: Duration? {
        restoredIndex.withLock { $0?.took }
    }

    /// Registers and heartbeats with the coordinator, unless the worker runs standalone.
    private func startMembership() {
        let config = runtime.config
        guard !config.worker.coordinator.isEmpty else { return }
        // Queries planned just before the coordinator decided a drop finish well within this.
        let dropGrace = max(Duration.seconds(1), .milliseconds(2 * config.coordinator.heartbeatIntervalMs))
        let limits = MessageLimits(maxReceiveBytes: config.rpc.maxMessageBytes, maxSendBytes: config.rpc.maxMessageBytes)
        let client = WorkerMembership(coordinatorAddresses: config.worker.coordinatorList, fence: epochFence, worker: self, logger: runtime.logger,
                                      dropGrace: dropGrace, now: environment.now,
                                      connect: runtime.security.connector(environment, limits: limits))
        membership.withLock { $0 = client }
        if environment.runsTimers { client.start(interval: .milliseconds(config.coordinator.heartbeatIntervalMs)) }
    }

    /// What the timer does each heartbeat interval: one round of membership (register or
    /// heartbeat, then start the slot copies the coordinator asks for). Called by the owner
    /// instead when the environment runs no timers.
    public func runTimersOnce() async {
        await membership.withLock { $0 }?.beat()
    }

    /// The open store; UNAVAILABLE while the worker is still recovering it or has closed it.
    func openStore() throws(StrataError) -> ChunkStore {
        guard let opened = store.withLock({ $0 }) else {
            throw StrataError(.unavailable, "the worker's store is not open (recovering or shutting down); retry")
        }
        return opened
    }

    /// Stops serving (draining calls), then closes the store (keeping the warm tier for the
    /// next start).
    public func shutdown() async {
        membership.withLock { $0?.stop(); $0 = nil }
        snapshotTicker.stop()
        searchIndex.vectorIndexes?.close()
        await runtime.shutdown()
        store.withLock { store in
            if let store { saveIndexSnapshots(store) }
            store?.close()
            store = nil
        }
    }

    /// The worker's own status, with every tier's counters.
    public func status() -> NodeStatusReport {
        let opened = store.withLock { $0 }
        var report = runtime.baseStatus(state: opened == nil ? .starting : .serving)
        if let opened {
            report.tiers = opened.stats()
            let persistent = opened.persistentStats()
            report.walBytes = UInt64(persistent.walBytes)
            report.segmentBytes = UInt64(persistent.segmentBytes)
            report.slots = slotRange.reportable(opened.slotPositions())
            report.vectorIndexes = searchIndex.vectorIndexStatus()
            report.notes += report.vectorIndexes.map(\.note)
        }
        let backend = report.tiers.first { $0.tier == .hot }?.backend ?? "host"
        if backend == "host" {
            report.notes.append("hot tier emulated in host memory (backend: host; no GPU on this machine)")
        }
        return report
    }
}
