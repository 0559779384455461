import Foundation
import Logging
import StrataControlPlane
import StrataCore
import Synchronization

/// Coordinators sharing etcd: one leads (it alone changes the map, reserves sequence numbers,
/// takes writes, registrations and heartbeats), the others follow the control plane and
/// answer queries from the leader's map. Writes sent to a follower are refused UNAVAILABLE
/// naming the leader in the `strata-leader` trailer, which clients and workers follow.
extension CoordinatorNode {
    /// Campaigns, and follows the role and the control plane, until `shutdown`.
    func startLeadership() {
        guard let election = controlPlane.makeElection(address: runtime.address) else { return }
        let roles = election.roleChanges()
        leadershipTasks.withLock { tasks in
            tasks.append(Task { await election.run() })
            tasks.append(Task { [weak self] in
                for await role in roles {
                    guard let self else { return }
                    await self.roleChanged(role)
                }
            })
            tasks.append(Task { [weak self] in await self?.followControlPlane() })
            tasks.append(Task { [weak self] in await self?.followTallies() })
        }
    }

    func stopLeadership() {
        leadershipTasks.withLock { tasks in
            for task in tasks { task.cancel() }
            tasks.removeAll()
        }
    }

    private func roleChanged(_ role: ElectionState.Role) async {
        switch role {
        case .leader(let token):
            await takeOver(token)
        case .follower(let leader):
            tallyCurrent.withLock { $0 = false }
            controlPlane.depose(leader.map { "following \($0.address)" } ?? "no leader elected")
            membership.stepDown()
            runtime.logger.notice("following", metadata: ["leader": "\(leader?.description ?? "none yet")"])
            if let snapshot = try? await controlPlane.store.load() { applyFollowed(snapshot) }
        }
    }

    /// Takes the lead under `token`: loads the control plane, takes the map over as after a
    /// restart and writes its first records. A takeover that fails (etcd briefly unreachable,
    /// a record it cannot read, a refused commit) is tried again — 0.2 s, doubling up to 2 s —
    /// for as long as the election still makes this coordinator leader under `token`;
    /// meanwhile writes are refused UNAVAILABLE.
    private func takeOver(_ token: LeaderToken) async {
        var failures = 0
        while !Task.isCancelled, controlPlane.election?.role.token == token {
            do {
                let snapshot = try await controlPlane.store.load()
                var initial = try membership.takeOver(snapshot, epoch: UInt64(max(0, token.epoch)))
                if let settings = snapshot[.namespaces] { try namespaces.adoptSettings(settings) }
                if let syncs = snapshot[.syncs] { try self.syncs.adopt(syncs) }
                if let tokens = snapshot[.tokens] {
                    access.adopt(tokens, asLeader: false)
                } else if let seed = access.sharedSeed() {
                    initial[.tokens] = seed
                }
                controlPlane.adopt(snapshot, leader: token)
                try await controlPlane.persistRecords(initial)
                tallyCurrent.withLock { $0 = false }
                let catchUp = Task { [weak self] in
                    guard let self else { return }
                    await self.catchUpAsLeader(token)
                }
                leadershipTasks.withLock { $0.append(catchUp) }
                controlPlane.freshness?.confirm()
                runtime.logger.notice("leading the cluster", metadata: [
                    "epoch": "\(token.epoch)", "control plane": "\(controlPlane.store.location)", "revision": "\(snapshot.revision.value)",
                    "attempts": "\(failures + 1)",
                ])
                return
            } catch {
                failures += 1
                controlPlane.depose("taking the lead failed: \(error)")
                runtime.logger.error("taking the lead failed; writes are refused until it succeeds (retrying)", metadata: [
                    "error": "\(error)", "attempt": "\(failures)",
                ])
            }
            try? await Task.sleep(for: .milliseconds(min(2_000, 100 << min(failures, 5))))
        }
    }

    /// Loads and watches the control plane, keeping a follower's map and namespaces current;
    /// after a failure (etcd unreachable, history compacted) it loads again.
    private func followControlPlane() async {
        while !Task.isCancelled {
            do {
                var current = try await controlPlane.store.load()
                controlPlane.freshness?.confirm()
                applyFollowed(current)
                if let tokens = current[.tokens] { access.adopt(tokens, asLeader: controlPlane.leader != nil) }
                if let syncs = current[.syncs], controlPlane.leader == nil { try? self.syncs.adopt(syncs) }
                for try await update in controlPlane.store.watch(after: current.revision) {
                    // Every answer of the watch, an empty progress report included, confirms the map.
                    controlPlane.freshness?.confirm()
                    current = update.applied(to: current)
                    if case .some(.some(let tokens)) = update.records[.tokens] { access.adopt(tokens, asLeader: controlPlane.leader != nil) }
                    if case .some(.some(let syncs)) = update.records[.syncs], controlPlane.leader == nil { try? self.syncs.adopt(syncs) }
                    if update.records[.clusterMap] != nil || update.records[.namespaces] != nil {
                        applyFollowed(current)
                    } else if !update.highWaterMarks.isEmpty, controlPlane.election?.role.token == nil {
                        membership.followMarks(update.highWaterMarks)
                    }
                }
            } catch {
                controlPlane.freshness?.failed("\(error)")
                runtime.logger.debug("control plane watch ended; loading again", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// A follower takes the leader's map and namespaces (a leader keeps its own).
    private func applyFollowed(_ snapshot: ControlPlaneSnapshot) {
        guard controlPlane.leader == nil, controlPlane.election?.role.token == nil else { return }
        do {
            try membership.follow(snapshot)
            if let settings = snapshot[.namespaces] { try namespaces.adoptSettings(settings) }
        } catch {
            runtime.logger.error("cannot apply the leader's control plane", metadata: ["error": "\(error)"])
        }
    }

    /// A new leader reads the documents its predecessors acknowledged into its tally (holding
    /// each slot's write lock while it reads that slot), then answers listings from it.
    private func catchUpAsLeader(_ token: LeaderToken) async {
        var rounds = 0
        while !Task.isCancelled, controlPlane.leader == token {
            let behind = await tallies.round(locks: ingest.replicator.locks)
            rounds += 1
            if behind.isEmpty {
                tallyCurrent.withLock { $0 = controlPlane.leader == token }
                runtime.logger.notice("document tallies read from the replicas", metadata: ["rounds": "\(rounds)"])
                return
            }
            if rounds == 1 || rounds % 50 == 0 {
                runtime.logger.warning("document tallies of some slots cannot be read from a current replica yet; retrying",
                                       metadata: ["slots": "\(behind)"])
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// A follower keeps its tally close to the replicas (so that a takeover has little to
    /// read, and its own listings are current): a round about every second, which reads
    /// nothing when no slot's mark moved.
    private func followTallies() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if controlPlane.leader == nil, controlPlane.election?.role.token == nil { _ = await tallies.round() }
        }
    }

    /// Whether ListDocuments may be answered from this coordinator's tally: always on local
    /// files; on etcd a leader once it caught up, a follower after a catch-up round that
    /// reached every slot's mark, else UNAVAILABLE (clients go on to another coordinator or
    /// retry). ListNamespaces answers from the tally as it stands (a follower's is at most
    /// about a second behind; a new leader's counts are complete once it caught up).
    func requireCurrentTally() async throws(StrataError) {
        guard controlPlane.isEtcd else { return }
        if controlPlane.leader != nil {
            guard tallyCurrent.withLock({ $0 }) else {
                throw StrataError(.unavailable, "this coordinator took the lead and is still reading the documents acknowledged through the previous leader from the replicas; retry")
            }
            return
        }
        let behind = await tallies.round()
        guard behind.isEmpty else {
            throw StrataError(.unavailable, "the document tallies of slots \(behind) could not be read from a current replica; retry")
        }
    }

    /// After a sync report or a dropped namespace: the shared sync record (etcd only).
    func publishSyncs() async throws {
        try await publish(.syncs, ordered: syncGeneration) { try syncs.sharedRecord() }
    }

    /// After a namespace was created or dropped: the shared settings record (etcd only).
    func publishNamespaces() async throws {
        try await publish(.namespaces, ordered: namespaceGeneration) { try namespaces.settingsRecord() }
    }

    /// Writes `record` with its content read after taking the next generation of `ordered`,
    /// so a write never replaces content a later one carried.
    private func publish(_ record: ControlPlaneRecord, ordered: borrowing Mutex<UInt64>, _ content: () throws -> [UInt8]) async throws {
        guard controlPlane.isEtcd else { return }
        let generation = ordered.withLock { generation in
            generation += 1
            return generation
        }
        try await controlPlane.persist(record, try content(), generation: generation)
    }
}

extension CoordinatorNode {
    /// This coordinator's role, lease and map freshness, for `strata health` and `strata nodes`.
    func controlPlaneStatus() -> ControlPlaneStatus {
        guard let election = controlPlane.election else {
            return ControlPlaneStatus(role: .local, epoch: controlPlane.epoch, leaderAddress: runtime.address)
        }
        let age = controlPlane.freshness?.age() ?? .zero
        var status = ControlPlaneStatus(
            role: .follower, etcdEndpoints: controlPlane.etcdEndpoints,
            confirmedMsAgo: UInt64(max(0, age.milliseconds)), stale: controlPlane.freshness?.staleReason() != nil)
        switch election.role {
        case .leader(let token):
            status.role = controlPlane.leader == nil ? .follower : .leader
            status.epoch = UInt64(max(0, token.epoch))
            status.leaderAddress = runtime.address
            status.leaseSafeMs = UInt64(max(0, election.leaseSafeFor?.milliseconds ?? 0))
        case .follower(let leader?):
            status.epoch = UInt64(max(0, leader.createRevision))
            status.leaderAddress = leader.address
        case .follower(nil):
            break
        }
        return status
    }

    /// The other coordinators campaigning in etcd, as `strata nodes` lists them.
    func otherCoordinators() -> [NodeStatusReport] {
        guard let election = controlPlane.election else { return [] }
        let candidates = election.candidates
        return candidates.filter { $0.address != runtime.address }.map { candidate in
            let leads = candidate == candidates.first
            return NodeStatusReport(
                nodeID: "coordinator@\(candidate.address)", role: .coordinator, address: candidate.address, state: .serving,
                version: "", uptimeSeconds: 0, startedAtUnix: 0,
                controlPlane: ControlPlaneStatus(
                    role: leads ? .leader : .follower, epoch: UInt64(max(0, candidates.first?.createRevision ?? 0)),
                    leaderAddress: candidates.first?.address ?? "", etcdEndpoints: controlPlane.etcdEndpoints))
        }
    }
}

extension HandlerReference<CoordinatorNode> {
    /// The coordinator if it leads (writes go only to the leader), else UNAVAILABLE naming
    /// the leader.
    func leader() throws(StrataError) -> CoordinatorNode {
        let coordinator = try self()
        _ = try coordinator.controlPlane.requireLeader()
        return coordinator
    }
}
