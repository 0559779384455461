import Foundation
import Testing

@testable import StrataCluster

@Suite("ClusterSimulation")
struct ClusterSimulationTests {
    /// Seeds run in 4 shards so the two cores share the work. STRATA_SIM_SEEDS sets the total
    /// (default 160; the figures in docs/cluster.md come from a 500-seed run), STRATA_SIM_SEED
    /// reruns one seed with a trace.
    @Test("seeded runs of 200 steps of join/drain/crash/restart/wipe/heartbeat/tick/copy/write/drop/stray call and coordinator crashes and leader changes keep every invariant",
        arguments: 0..<4)
    func seeded(shard: Int) async throws {
        let environment = ProcessInfo.processInfo.environment
        if let only = environment["STRATA_SIM_SEED"].flatMap(UInt64.init) {
            guard shard == 0 else { return }
            var simulation = try ClusterSimulation(seed: only, trace: true)
            try simulation.run(steps: 200, quiesceEvery: 50)
            return
        }
        let seeds = environment["STRATA_SIM_SEEDS"].flatMap(UInt64.init) ?? 160
        // The seeds run on a thread of their own: each runs for a while without a suspension
        // point, and on Swift's cooperative pool (as wide as the machine's cores, two in CI)
        // they would starve the suites running beside them, whose nodes wait on heartbeats.
        let (total, failures, ran) = await Self.onOwnThread { () -> (ClusterSimulation.Counters, [String], Int) in
            var total = ClusterSimulation.Counters()
            var failures: [String] = []
            var ran = 0
            for seed in stride(from: UInt64(shard), to: seeds, by: 4) {
                var simulation: ClusterSimulation? = nil
                do {
                    simulation = try ClusterSimulation(seed: seed)
                    try simulation!.run(steps: 200, quiesceEvery: 50)
                } catch {
                    failures.append("\(error)")
                }
                if let simulation { total.add(simulation.counters) }
                ran += 1
                if failures.count >= 3 { break }
            }
            return (total, failures, ran)
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        print(
            """
            simulation shard \(shard): \(ran) seeds, \(total.steps) steps, \(total.plans) plans, \(total.quiescentChecks) quiescent checks \
            over \(total.slotsChecked) slots (\(total.slotsLostAtQuiescence) with every current copy on dead workers, \
            reported missing or stale); joins \(total.joins), drains \(total.leaves), removals \(total.removals), \
            crashes \(total.crashes), restarts \(total.restarts) (\(total.disksWiped) over a wiped disk), namespace drops \(total.namespaceDrops), \
            stray calls \(total.strayCalls); writes acked \(total.writesAcknowledged), \
            refused \(total.writesRefused), acks lost \(total.writesUnrecorded); copies started \(total.copiesStarted) (\(total.deltaCopies) delta), \
            completed \(total.copiesCompleted), failed \(total.copiesFailed); drops \(total.drops) \
            (\(total.dropsRefused) refused by the worker's guard); max rounds to quiesce \(total.maxRoundsToQuiesce); \
            placement moves on join \(total.joinMoves) vs ideal \(Int(total.joinIdealMoves)); \
            coordinators: leader crashes \(total.leaderCrashes), leases lost \(total.leasesLost), commands fenced by epoch \(total.commandsFenced), \
            deposed leaders' commits refused \(total.deposedCommits), writes refused while a new leader reconciles \(total.writesWhileRestarting), \
            slots a new leader confirmed at the durable mark \(total.slotsConfirmedByMark) / by a quorum of holders \(total.slotsConfirmedByQuorum)
            """)
        #expect(failures.isEmpty)
        #expect(total.copiesCompleted > 0 && total.drops > 0 && total.deltaCopies > 0 && total.crashes > 0)
        #expect(total.leaderCrashes > 0 && total.leasesLost > 0 && total.commandsFenced > 0 && total.slotsConfirmedByMark > 0)
    }

    /// Runs `body` on a new thread (with a generous stack) and returns its result.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}
