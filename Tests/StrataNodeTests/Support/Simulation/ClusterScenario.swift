import Foundation
import StrataCore
import StrataWire

/// One seeded run of the simulation: random ingests, deletes and queries interleaved with
/// worker kills and restarts, partitions, lost requests and replies, cut streams, delays,
/// coordinator restarts and the passing of time -- every choice drawn from the seed -- with
/// the reference model checked after every query, then a heal and the final checks.
final class ClusterScenario {
    static let namespace = "sim"
    static let vocabulary = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
        "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey", "yankee",
    ]

    let seed: UInt64
    let cluster: SimulatedCluster
    var random: SplitMix64
    /// What the client was told, per namespace the client knows to exist ("sim" is never dropped).
    var models: [String: ReferenceModel] = [ClusterScenario.namespace: ReferenceModel()]
    /// The model of "sim", the namespace the final comparison with a single worker reads.
    var model: ReferenceModel {
        get { models[Self.namespace]! }
        set { models[Self.namespace] = newValue }
    }
    /// Namespaces whose drop failed (it may have reached some slots): dropped again at the heal.
    var uncertainDrops: Set<String> = []
    /// Names created so far, for drawing a new one or re-creating a dropped one.
    var namespacesCreated = 0
    var namespaceCounters = (created: 0, dropped: 0, dropsFailed: 0)
    /// Calls with out-of-range values made (`strayCall`).
    var strayCalls = 0
    var log: [String] = []
    var violations: [String] = []
    var step = 0
    private var nextDocument = 0
    private(set) var lostOne = false
    /// The id of the worker whose disk was lost (it never reports again).
    var lostWorkerID: String?
    /// Set when the scenario ended in the documented limit of restart reconciliation.
    var knownLimit: String?
    /// Since the cluster was last seen settled with W >= 2, a write failed (it may sit on one
    /// replica only) or was acknowledged with W = 1 (fewer live workers than R): losing a disk
    /// now could lose data the cluster never promised to keep twice.
    var singleCopiesPossible = false

    init(seed: UInt64, workers: Int, replicas: Int) throws {
        self.seed = seed
        random = SplitMix64(seed: seed)
        cluster = try SimulatedCluster(seed: seed, workers: workers, replicas: replicas)
    }

    /// Brings the cluster up and creates the namespace (no faults yet).
    func prepare() async throws {
        guard await cluster.settle() else { throw SimulationFailure("the fresh cluster never became fully replicated") }
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: Self.namespace, tokenizer: .estimate))
    }

    func run(steps: Int) async {
        for _ in 0..<steps {
            step += 1
            await randomStep()
        }
    }

    // MARK: steps

    func draw(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    func chance(_ rate: Double) -> Bool { Double(random.next() >> 11) / Double(1 << 53) < rate }

    func note(_ line: String) { log.append("[\(step)] \(line)") }

    private func randomStep() async {
        let roll = draw(100)
        switch roll {
        case 0..<24: await ingestNew()
        case 24..<31: await resendUncertain()
        case 31..<41: await deleteSome()
        case 41..<54: await checkQuery(namespace: drawNamespace())
        case 54..<57: await createNamespace()
        case 57..<60: await dropNamespace()
        case 60..<64: await killWorker()
        case 64..<65: await loseWorker()
        case 65..<69: await killWriteLose()
        case 69..<74: await restartWorker()
        case 74..<79: partition()
        case 79..<82: heal()
        case 82..<88: setFaults()
        case 88..<93: await passTime(rounds: 1 + draw(10))
        case 93..<96: await strayCall()
        default: await bounceCoordinator()
        }
    }

    private func makeDocument() -> (id: String, text: String) {
        nextDocument += 1
        let words = (0..<(4 + draw(8))).map { _ in Self.vocabulary[draw(Self.vocabulary.count)] }
        return ("doc-\(nextDocument)", "simulation record number\(nextDocument) " + words.joined(separator: " ") + ".")
    }

    /// A namespace the client knows, "sim" half of the time.
    func drawNamespace() -> String {
        let others = models.keys.filter { $0 != Self.namespace }.sorted()
        return others.isEmpty || chance(0.5) ? Self.namespace : others[draw(others.count)]
    }

    func ingest(_ documents: [(id: String, text: String)], namespace: String = ClusterScenario.namespace) async {
        let request = IngestRequest(namespace: namespace, documents: documents.map { Document(id: $0.id, text: $0.text) })
        do {
            let summary = try await cluster.ingest([request])
            // Every document is either stored or listed as not stored (its slot's replication
            // failed: it may sit on some replicas); the simulation's documents are all valid.
            let rejected = Set(summary.rejected.map(\.documentID))
            let stored = documents.filter { !rejected.contains($0.id) }
            if summary.documents != UInt64(stored.count) || !rejected.isSubset(of: documents.map(\.id))
                || summary.rejected.contains(where: { !$0.retry }) {
                violations.append("ingest of \(documents.map(\.id)) stored \(summary.documents) documents, rejected \(summary.rejected)")
            }
            models[namespace]?.ingested(stored, acknowledged: true)
            models[namespace]?.ingested(documents.filter { rejected.contains($0.id) }, acknowledged: false)
            if !rejected.isEmpty { singleCopiesPossible = true }
            await noteQuorum()
            note("ingest \(namespace) \(documents.map(\.id)): acknowledged\(rejected.isEmpty ? "" : " except \(rejected.sorted())")")
        } catch {
            models[namespace]?.ingested(documents, acknowledged: false)
            singleCopiesPossible = true
            note("ingest \(namespace) \(documents.map(\.id)): failed (\(error))")
        }
    }

    private func ingestNew() async {
        let namespace = drawNamespace()
        await ingest((0..<(1 + draw(4))).map { _ in makeDocument() }, namespace: namespace)
    }

    /// The client retries writes it does not know the fate of (same ids, same text).
    private func resendUncertain() async {
        let namespace = drawNamespace()
        guard let model = models[namespace] else { return }
        let uncertain = model.ids(.maybeWritten)
        guard !uncertain.isEmpty else { return await ingestNew() }
        let chosen = Array(uncertain.prefix(1 + draw(3)))
        await ingest(chosen.map { ($0, model.texts[$0]!) }, namespace: namespace)
    }

    private func deleteSome() async {
        let namespace = drawNamespace()
        guard let model = models[namespace] else { return }
        let candidates = model.ids(.acknowledged) + model.ids(.maybeWritten) + model.ids(.maybeDeleted)
        guard !candidates.isEmpty else { return }
        // Now and then an id that was never written (a delete of nothing still takes a sequence).
        let ids = Set((0..<(1 + draw(2))).map { _ in candidates[draw(candidates.count)] } + (chance(0.2) ? ["never-\(step)"] : [])).sorted()
        do {
            let response = try await cluster.delete(DeleteDocumentsRequest(namespace: namespace, documentIDs: ids))
            models[namespace]?.deleted(ids, acknowledged: true)
            await noteQuorum()
            note("delete \(namespace) \(ids): acknowledged (not found: \(response.notFound))")
        } catch {
            models[namespace]?.deleted(ids, acknowledged: false)
            singleCopiesPossible = true
            note("delete \(namespace) \(ids): failed (\(error))")
        }
    }

    /// Asks for every document (they all contain "simulation") and checks the answer.
    @discardableResult
    func checkQuery(namespace: String = ClusterScenario.namespace, requireComplete: Bool = false) async -> Bool {
        guard let model = models[namespace] else { return true }
        do {
            let answer = try await cluster.query(QueryRequest(namespace: namespace, text: "simulation", mode: .lexical,
                                                              topK: 1000, tokenBudget: 1_000_000))
            guard case .header(let header)? = answer.first else {
                violations.append("step \(step): the answer did not start with a header")
                return false
            }
            let visible = answer.compactMap { item -> (id: String, text: String)? in
                if case .passage(let passage) = item { return (passage.provenance.documentID, passage.text) }
                return nil
            }
            let problems = model.violations(visible: visible, degraded: header.degraded)
            note("query \(namespace): \(visible.count) documents, degraded \(header.degraded) \(header.degradedReason)")
            if requireComplete && header.degraded {
                violations.append("step \(step): the answer after healing is degraded: \(header.degradedReason)")
            }
            violations += problems.map { "step \(step): \(namespace): \($0)" }
            return problems.isEmpty
        } catch {
            note("query \(namespace): failed (\(error))")
            if requireComplete { violations.append("step \(step): the query after healing failed: \(error)") }
            return false
        }
    }

    private func killWorker() async {
        let running = cluster.runningWorkers
        guard running.count > 1 else { return }
        let index = running[draw(running.count)]
        await cluster.stopWorker(index)
        note("kill worker-\(index)")
    }

    /// Notes an acknowledged write made while the cluster required a single copy.
    func noteQuorum() async {
        guard let status = try? await cluster.clusterStatus(), status.writeQuorum >= 2 else {
            singleCopiesPossible = true
            return
        }
    }

    /// Once per scenario a worker loses its disk for good (it comes back as a new, empty node).
    /// Every acknowledged write is on W >= 2 replicas, so losing one machine must not lose any
    /// of them. Not while single copies are possible (see `singleCopiesPossible`): a write
    /// acknowledged with W = 1 is legitimately lost with its disk, and a failed write that
    /// reached one replica raised the slot's high-water mark, so losing its only holder leaves
    /// the slot without an up-to-date replica for good (a known limit, see docs/cluster.md) --
    /// unless the cluster has settled since, which copied everything everywhere.
    private func loseWorker() async {
        guard !lostOne, cluster.replicas >= 2 else { return await killWorker() }
        if singleCopiesPossible {
            // Let the cluster copy what it has first (time passes; the disk is lost afterwards).
            let settled = await cluster.settle(rounds: 40)
            note("time passes until the cluster has settled: \(settled)")
            guard settled, let status = try? await cluster.clusterStatus(), status.writeQuorum >= 2 else { return await killWorker() }
            singleCopiesPossible = false
        }
        guard let status = try? await cluster.clusterStatus() else { return await killWorker() }
        lostOne = true
        let index = Self.soleHolder(status, cluster.workerAddresses) ?? draw(cluster.workers.count)
        lostWorkerID = "worker-sim-\(index)"
        do {
            try await cluster.replaceWorker(index)
            note("worker-\(index) lost its disk; replaced by \(cluster.workerAddresses[index])")
        } catch {
            violations.append("step \(step): replacing worker-\(index) failed: \(error)")
        }
    }

    /// The order quorums exist for: replicas go down (R - 1 of them), writes go on without
    /// them, then the replica that took them loses its disk before the others have caught up.
    private func killWriteLose() async {
        guard !lostOne else { return await ingestNew() }
        for _ in 1..<cluster.replicas { await killWorker() }
        for _ in 0..<(1 + draw(3)) { await ingestNew() }
        await loseWorker()
    }

    /// Adversarial choice: the worker that is the only one at the high-water mark of the most
    /// slots (as the coordinator last heard), whose loss would hurt most if writes were
    /// acknowledged before reaching a quorum.
    private static func soleHolder(_ status: ClusterStatusResponse, _ addresses: [String]) -> Int? {
        let workers = status.nodes.filter { addresses.contains($0.address) }
        var best: (index: Int, count: Int)?
        for worker in workers {
            let count = worker.slots.filter { position in
                let holders = workers.filter { other in other.slots.contains { $0.slot == position.slot && $0.sequence >= position.sequence } }
                return position.sequence > 0 && holders.count == 1
            }.count
            if count > (best?.count ?? 0), let index = addresses.firstIndex(of: worker.address) { best = (index, count) }
        }
        return best?.index
    }

    private func restartWorker() async {
        let down = cluster.workers.indices.filter { cluster.workers[$0] == nil }
        guard !down.isEmpty else { return await passTime(rounds: 1) }
        let index = down[draw(down.count)]
        do {
            try cluster.startWorker(index)
            note("restart worker-\(index)")
        } catch {
            violations.append("step \(step): worker-\(index) did not restart over its data: \(error)")
        }
    }

    private func partition() {
        let nodes = [SimulatedCluster.coordinatorAddress] + cluster.workerAddresses
        var a = nodes[draw(nodes.count)]
        var b = nodes[draw(nodes.count)]
        if a == b {
            // Now and then cut the client off instead.
            (a, b) = (SimulatedCluster.clientAddress, SimulatedCluster.coordinatorAddress)
        }
        cluster.network.partition(a, b)
        note("partition \(a) | \(b)")
    }

    private func heal() {
        cluster.network.healAll()
        note("heal the network")
    }

    private func setFaults() {
        if chance(0.3) {
            cluster.network.setFaults(.none)
            note("faults off")
            return
        }
        let faults = InProcessNetwork.Faults(
            dropRequestRate: chance(0.5) ? Double(draw(20)) / 100 : 0,
            dropReplyRate: chance(0.7) ? Double(draw(30)) / 100 : 0,
            cutStreamRate: chance(0.5) ? Double(draw(30)) / 100 : 0,
            delayRate: chance(0.5) ? Double(draw(30)) / 100 : 0,
            maxDelay: .milliseconds(2))
        cluster.network.setFaults(faults)
        note("faults \(faults)")
    }

    func passTime(rounds: Int) async {
        for _ in 0..<rounds { await cluster.round() }
        note("\(rounds) heartbeat round(s)")
    }

    private func bounceCoordinator() async {
        if cluster.coordinator == nil {
            do {
                try cluster.startCoordinator()
                note("restart the coordinator")
            } catch {
                violations.append("step \(step): the coordinator did not restart from its map: \(error)")
            }
            return
        }
        await cluster.stopCoordinator()
        // Half the time it comes back at once (a restart), else it stays down for a while.
        if chance(0.5) {
            do {
                try cluster.startCoordinator()
                note("restart the coordinator at once")
            } catch {
                violations.append("step \(step): the coordinator did not restart from its map: \(error)")
            }
        } else {
            note("kill the coordinator")
        }
    }
}

struct SimulationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
