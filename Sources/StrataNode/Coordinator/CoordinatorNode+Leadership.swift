import Foundation
import Logging
import StrataControlPlane
import StrataCore
import Synchronization

/// Coordinators sharing etcd: one leads (it alone changes the map, reserves sequence numbers,
/// takes writes, registrations and heartbeats), the others follow the control plane and
/// answer queries from the leader's map. Writes sent to a follower are refused UNAVAILABLE
/// with the leader's address (`strata-leader=host:port`), which clients and workers follow.
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
            do {
                let snapshot = try await controlPlane.store.load()
                let initial = try membership.takeOver(snapshot, epoch: UInt64(max(0, token.epoch)))
                if let settings = snapshot[.namespaces] { try namespaces.adoptSettings(settings) }
                controlPlane.adopt(snapshot, leader: token)
                try await controlPlane.persistRecords(initial)
                runtime.logger.notice("leading the cluster", metadata: [
                    "epoch": "\(token.epoch)", "control plane": "\(controlPlane.store.location)", "revision": "\(snapshot.revision.value)",
                ])
            } catch {
                controlPlane.depose("taking the lead failed: \(error)")
                runtime.logger.error("taking the lead failed; writes are refused until the next election", metadata: ["error": "\(error)"])
            }
        case .follower(let leader):
            controlPlane.depose(leader.map { "following \($0.address)" } ?? "no leader elected")
            membership.stepDown()
            runtime.logger.notice("following", metadata: ["leader": "\(leader?.description ?? "none yet")"])
            if let snapshot = try? await controlPlane.store.load() { applyFollowed(snapshot) }
        }
    }

    /// Loads and watches the control plane, keeping a follower's map and namespaces current;
    /// after a failure (etcd unreachable, history compacted) it loads again.
    private func followControlPlane() async {
        while !Task.isCancelled {
            do {
                var current = try await controlPlane.store.load()
                applyFollowed(current)
                for try await update in controlPlane.store.watch(after: current.revision) {
                    current = update.applied(to: current)
                    if update.records[.clusterMap] != nil || update.records[.namespaces] != nil {
                        applyFollowed(current)
                    } else if !update.highWaterMarks.isEmpty, controlPlane.election?.role.token == nil {
                        membership.followMarks(update.highWaterMarks)
                    }
                }
            } catch {
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

    /// After a namespace was created or dropped: the shared settings record (etcd only).
    func publishNamespaces() async throws {
        guard controlPlane.isEtcd else { return }
        let generation = namespaceGeneration.withLock { generation in
            generation += 1
            return generation
        }
        try await controlPlane.persist(.namespaces, try namespaces.settingsRecord(), generation: generation)
    }
}

extension CoordinatorNode {
    /// This coordinator's part in the election, for `strata health` and `strata nodes`
    /// (nothing for a coordinator on local files: it is the only one).
    func roleNotes() -> [String] {
        guard let election = controlPlane.election else { return [] }
        let endpoints = "etcd \(runtime.config.coordinator.etcdEndpointList.joined(separator: ","))"
        switch election.role {
        case .leader(let token):
            let lease = election.leaseSafeFor.map { String(format: "%.1f s", Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) } ?? "?"
            return ["leader (epoch \(token.epoch), lease safe for \(lease), \(endpoints))"]
        case .follower(let leader?):
            return ["follower (leader \(leader.address), epoch \(leader.createRevision), \(endpoints))"]
        case .follower(nil):
            return ["follower (no leader elected, \(endpoints))"]
        }
    }

    /// The other coordinators campaigning in etcd, as `strata nodes` lists them.
    func otherCoordinators() -> [NodeStatusReport] {
        guard let election = controlPlane.election else { return [] }
        let candidates = election.candidates
        return candidates.filter { $0.address != runtime.address }.map { candidate in
            NodeStatusReport(
                nodeID: "coordinator@\(candidate.address)", role: .coordinator, address: candidate.address, state: .serving,
                version: "", uptimeSeconds: 0, startedAtUnix: 0,
                notes: [candidate == candidates.first ? "leader (epoch \(candidate.createRevision))" : "follower"])
        }
    }
}

extension RuntimeBox {
    /// The coordinator if it leads (writes go only to the leader), else UNAVAILABLE naming
    /// the leader.
    func liveLeader() throws(StrataError) -> CoordinatorNode {
        let coordinator = try liveCoordinator()
        _ = try coordinator.controlPlane.requireLeader()
        return coordinator
    }
}
