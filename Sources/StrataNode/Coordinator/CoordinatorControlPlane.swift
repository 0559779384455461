import Foundation
import StrataControlPlane
import StrataCore
import StrataEtcd
import StrataRPC
import Synchronization

/// Where the coordinator keeps what must outlive it (the cluster id, map, sequence ceilings,
/// restart reconciliation, namespace settings, and each slot's acknowledged high-water mark),
/// and whether this coordinator may change it.
///
/// Two forms, chosen by `coordinator.etcd_endpoints`: files in the data directory
/// (`LocalFileControlPlaneStore`, the default: this coordinator is the only one and always
/// leads) or etcd (`EtcdControlPlaneStore` with a `LeaderElection`: the coordinator writes
/// only while it leads, under the leadership it took over with).
///
/// Every write is guarded by the leadership token it was made under and, for records, by the
/// revision this coordinator last wrote or loaded: a deposed leader's write changes nothing
/// and fails UNAVAILABLE. Writes of one record are made one at a time in the order their
/// contents were produced; a write whose content a later one already carried is skipped
/// (`generation`), so a record never goes back to older content.
final class CoordinatorControlPlane: Sendable {
    let store: any ControlPlaneStore
    /// The local store, when the control plane is files (it can be written synchronously).
    let local: LocalFileControlPlaneStore?
    /// How the election is made, when the control plane is etcd (it starts with the
    /// coordinator, once its address is known).
    private let etcd: (client: EtcdClient, layout: EtcdControlPlaneLayout, settings: ElectionSettings)?
    private let runningElection = Mutex<LeaderElection?>(nil)
    /// When the map was last confirmed with etcd (nil on local files: always current).
    let freshness: ControlPlaneFreshness?

    /// The election, once started (etcd only).
    var election: LeaderElection? { runningElection.withLock { $0 } }

    /// Creates this coordinator's candidacy, reachable at `address`.
    func makeElection(address: String) -> LeaderElection? {
        guard let etcd else { return nil }
        let election = LeaderElection(client: etcd.client, layout: etcd.layout, address: address, settings: etcd.settings)
        runningElection.withLock { $0 = election }
        return election
    }

    private struct State {
        /// The leadership the coordinator's state was loaded under (nil: a follower).
        var token: LeaderToken?
        var revisions: [ControlPlaneRecord: ControlPlaneRevision] = [:]
        var written: [ControlPlaneRecord: UInt64] = [:]
        var marks: HighWaterMarkCommitter
        /// Why this coordinator stopped leading, for the errors of writes refused since.
        var deposed: String?
    }

    private let state: Mutex<State>
    private let recordLocks = SlotLocks()
    /// How long `recordMarks` waited for its commit (the part of an acknowledgement the
    /// control plane adds), for /metrics.
    let markCommitLatencies = RecentLatencies()

    private init(store: any ControlPlaneStore, local: LocalFileControlPlaneStore?,
                 etcd: (client: EtcdClient, layout: EtcdControlPlaneLayout, settings: ElectionSettings)?,
                 staleAfter: Duration? = nil) {
        self.store = store
        self.local = local
        self.etcd = etcd
        freshness = staleAfter.map { ControlPlaneFreshness(staleAfter: $0) }
        state = Mutex(State(token: local?.leader, marks: HighWaterMarkCommitter(store: store, durable: [:])))
    }

    /// The files of `dataDirectory`; this coordinator leads for as long as it runs.
    static func local(dataDirectory: String) throws(StrataError) -> (CoordinatorControlPlane, ControlPlaneSnapshot) {
        let store: LocalFileControlPlaneStore
        do {
            store = try LocalFileControlPlaneStore(directory: dataDirectory)
        } catch {
            throw error.strataError
        }
        let plane = CoordinatorControlPlane(store: store, local: store, etcd: nil)
        let snapshot = store.snapshot()
        plane.adopt(snapshot, leader: store.leader)
        return (plane, snapshot)
    }

    /// etcd at `config.coordinator.etcd_endpoints`. The election runs from the coordinator's
    /// start (`makeElection`), when its address is known.
    static func etcd(_ config: StrataConfig) throws(StrataError) -> CoordinatorControlPlane {
        let client: EtcdClient
        let layout: EtcdControlPlaneLayout
        let settings: ElectionSettings
        do {
            client = EtcdClient(try EtcdClientSettings(endpoints: config.coordinator.etcdEndpointList, security: try etcdSecurity(config)))
            layout = try EtcdControlPlaneLayout(prefix: config.coordinator.etcdPrefix)
            settings = try ElectionSettings(leaseTTL: .milliseconds(config.coordinator.leaseTTLMs))
        } catch let error as ControlPlaneError {
            throw StrataError.invalidArgument("coordinator.etcd_prefix: \(error.message)")
        } catch let error as EtcdError {
            throw StrataError.invalidArgument("coordinator.etcd_endpoints: \(error)")
        } catch {
            throw StrataError(relaying: error)
        }
        let store = EtcdControlPlaneStore(client: client, layout: layout, maxOperationsPerTransaction: config.coordinator.etcdMaxTxnOps)
        return CoordinatorControlPlane(store: store, local: nil, etcd: (client, layout, settings),
                                       staleAfter: .milliseconds(config.coordinator.staleAfterMs))
    }

    var isEtcd: Bool { etcd != nil }

    /// TLS to etcd from `coordinator.etcd_ca_file` (+ `etcd_cert_file`/`etcd_key_file` for
    /// mutual TLS), read now; plain TCP when no CA is given.
    static func etcdSecurity(_ config: StrataConfig) throws(StrataError) -> ChannelSecurity {
        let settings = config.coordinator
        guard !settings.etcdCAFile.isEmpty else {
            guard settings.etcdCertFile.isEmpty, settings.etcdKeyFile.isEmpty else {
                throw StrataError.invalidArgument("coordinator.etcd_cert_file and etcd_key_file need coordinator.etcd_ca_file (TLS to etcd)")
            }
            return .insecure
        }
        guard settings.etcdCertFile.isEmpty == settings.etcdKeyFile.isEmpty else {
            throw StrataError.invalidArgument("coordinator.etcd_cert_file and coordinator.etcd_key_file go together (mutual TLS to etcd): give both or neither")
        }
        let files = TLSFiles(certificateChain: settings.etcdCertFile.isEmpty ? nil : settings.etcdCertFile,
                             privateKey: settings.etcdKeyFile.isEmpty ? nil : settings.etcdKeyFile,
                             trustedRoots: settings.etcdCAFile)
        do {
            return .tls(try ChannelTLS(files: files))
        } catch {
            throw StrataError.invalidArgument("coordinator.etcd_*_file: \(error.message)")
        }
    }

    /// The etcd endpoints (empty on local files).
    var etcdEndpoints: [String] { etcd?.client.endpoints ?? [] }

    /// The leadership this coordinator acts under, nil while it follows.
    var leader: LeaderToken? { state.withLock { $0.token } }

    /// The epoch workers are told with every command (0 while following).
    var epoch: UInt64 { UInt64(max(0, leader?.epoch ?? 0)) }

    /// Gives the leadership up (etcd: revokes the lease, so another coordinator leads at
    /// once) and releases the local store's lock.
    func close() async {
        depose("the coordinator is shutting down")
        await election?.resign()
        local?.close()
    }

    /// Takes `snapshot` (just loaded) as the state that writes under `leader` start from.
    func adopt(_ snapshot: ControlPlaneSnapshot, leader: LeaderToken?) {
        state.withLock { state in
            state.token = leader
            state.deposed = nil
            state.revisions = snapshot.records.mapValues(\.revision)
            state.written = [:]
            state.marks = HighWaterMarkCommitter(store: store, durable: snapshot.highWaterMarks)
        }
    }

    /// Stops writing: the leadership ended (`reason` goes into the errors of later writes).
    func depose(_ reason: String) {
        state.withLock { state in
            state.token = nil
            state.deposed = reason
        }
    }

    /// The leadership, or UNAVAILABLE naming the leader to ask instead.
    func requireLeader() throws(StrataError) -> LeaderToken {
        if let token = leader { return token }
        throw notLeaderError()
    }

    func notLeaderError() -> StrataError {
        let deposed = state.withLock { $0.deposed }
        var text = "this coordinator is not the leader"
        var leaderAddress: String?
        // A coordinator whose own lease lapsed can still see its own key as the oldest (etcd
        // gone, so nothing expires it in its view): that is no leader to send writes to.
        if case .follower(let leader?) = election?.role, leader.address != election?.address {
            leaderAddress = leader.address
            text += "; the leader is at \(leader.address)"
        } else if isEtcd {
            text += "; no leader is elected yet (etcd at \(etcdEndpoints.joined(separator: ","))); retry"
        } else {
            text += " (it stopped writing its local control plane)"
        }
        if let stale = freshness?.staleReason() { text += "; etcd has not answered: \(stale)" }
        if let deposed { text += " [\(deposed)]" }
        return StrataError(.unavailable, text, metadata: LeaderHint.metadata(leaderAddress))
    }

    /// Writes `bytes` (nil: deletes) as `record`, unless a write of generation `generation` or
    /// later was made already; returns once it is durable.
    func persist(_ record: ControlPlaneRecord, _ bytes: [UInt8]?, generation: UInt64) async throws(StrataError) {
        let token = try requireLeader()
        let index = ControlPlaneRecord.allCases.firstIndex(of: record)!
        do {
            try await recordLocks.withLock(index) { [self] in
                let (expected, done) = state.withLock { ($0.revisions[record] ?? .zero, ($0.written[record] ?? 0) >= generation) }
                guard !done else { return }
                let batch = ControlPlaneBatch(leader: token, expectedRevisions: [record: expected], records: [record: bytes])
                let revision = try await store.commit(batch)
                state.withLock { state in
                    state.revisions[record] = revision
                    state.written[record] = max(state.written[record] ?? 0, generation)
                }
            }
        } catch {
            throw failure(error, writing: record.rawValue)
        }
    }

    /// Writes `records` together (a new leader's first writes), guarded by the revisions it
    /// loaded.
    ///
    /// The membership leads from the moment `adopt` made this coordinator leader, so a
    /// heartbeat can make the core commit one of these records (the restart reconciliation)
    /// while this write is under way. Holding every record's lock orders the two: a `persist`
    /// that came first wrote the newer content (the core's later decision), so its record is
    /// left out here; one that comes after reads the revision this write made. Without the
    /// locks both expected the loaded revision, one was refused, and the refusal deposed the
    /// new leader.
    func persistRecords(_ records: [ControlPlaneRecord: [UInt8]?]) async throws(StrataError) {
        guard !records.isEmpty else { return }
        let token = try requireLeader()
        let indexes = records.keys.map { ControlPlaneRecord.allCases.firstIndex(of: $0)! }.sorted()
        for index in indexes { await recordLocks.acquire(index) }
        let outcome: Result<Void, StrataError>
        do {
            outcome = .success(try await commitFirstRecords(records, token: token))
        } catch {
            outcome = .failure(error)
        }
        for index in indexes.reversed() { await recordLocks.release(index) }
        try outcome.get()
    }

    /// `persistRecords`' commit, run holding the records' locks.
    private func commitFirstRecords(_ records: [ControlPlaneRecord: [UInt8]?], token: LeaderToken) async throws(StrataError) {
        let (expected, pending) = state.withLock { state in
            let pending = records.filter { state.written[$0.key] == nil }
            return (Dictionary(uniqueKeysWithValues: pending.keys.map { ($0, state.revisions[$0] ?? .zero) }), pending)
        }
        guard !pending.isEmpty else { return }
        do {
            let revision = try await store.commit(ControlPlaneBatch(leader: token, expectedRevisions: expected, records: pending))
            state.withLock { state in for record in pending.keys { state.revisions[record] = revision } }
        } catch {
            throw failure(error, writing: pending.keys.map(\.rawValue).sorted().joined(separator: ", "))
        }
    }

    /// `persist`, synchronously, on the local store (the coordinator's start on local files).
    func persistNow(_ records: [ControlPlaneRecord: [UInt8]?]) throws(StrataError) {
        guard !records.isEmpty else { return }
        guard let local else { throw StrataError(.internal, "a synchronous write needs the local control plane") }
        do {
            let revision = try local.commitNow(ControlPlaneBatch(leader: local.leader, records: records))
            state.withLock { state in for record in records.keys { state.revisions[record] = revision } }
        } catch {
            throw error.strataError
        }
    }

    /// Returns once the high-water marks `marks` (slot → acknowledged sequence) are durable.
    func recordMarks(_ marks: [Int: UInt64]) async throws(StrataError) {
        let token = try requireLeader()
        let committer = state.withLock { $0.marks }
        let started = ContinuousClock.now
        do {
            try await committer.record(marks, leader: token)
            markCommitLatencies.record(ContinuousClock.now - started)
        } catch {
            throw failure(error, writing: "high-water marks")
        }
    }

    /// The acknowledged high-water marks known durable.
    func durableMarks() async -> [Int: UInt64] {
        await state.withLock { $0.marks }.durableMarks
    }

    /// A failed write as clients see it; a refusal of leadership deposes this coordinator.
    private func failure(_ error: any Error, writing what: String) -> StrataError {
        guard let error = error as? ControlPlaneError else { return StrataError(relaying: error) }
        switch error.kind {
        case .notLeader:
            depose("\(what) refused: \(error.message)")
            return notLeaderError()
        case .conflict:
            // Another write changed a record this leader holds: its view is wrong. Deposed
            // alone it would keep its lease and the cluster would have no acting leader until
            // the lease ended, which a live coordinator's never does; so the round ends and a
            // fresh election (this coordinator or another) takes over from a fresh load.
            depose("\(what) refused: \(error.message)")
            election?.stepDown("\(what) refused: \(error.message)")
            return notLeaderError()
        case .unavailable where isEtcd:
            return StrataError(.unavailable, "etcd is unavailable: \(what) not written: \(error.message)", metadata: LeaderHint.metadata(nil))
        default:
            return error.strataError
        }
    }
}
