import Foundation
import Testing

@testable import StrataCluster

@Suite("ClusterSimulation")
struct ClusterSimulationTests {
    @Test("500 seeds x 200 steps of join/leave/crash/restart/heartbeat/tick/copy/write keep every invariant")
    func seeded() throws {
        let environment = ProcessInfo.processInfo.environment
        if let only = environment["STRATA_SIM_SEED"].flatMap(UInt64.init) {
            var simulation = try ClusterSimulation(seed: only, trace: true)
            try simulation.run(steps: 200, quiesceEvery: 50)
            return
        }
        var total = ClusterSimulation.Counters()
        var failures: [String] = []
        let seeds = environment["STRATA_SIM_SEEDS"].flatMap(UInt64.init) ?? 500
        for seed in 0..<seeds {
            var simulation: ClusterSimulation? = nil
            do {
                simulation = try ClusterSimulation(seed: seed)
                try simulation!.run(steps: 200, quiesceEvery: 50)
            } catch {
                failures.append("\(error)")
            }
            if let simulation { total.add(simulation.counters) }
            if failures.count >= 3 { break }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        print(
            """
            simulation: \(seeds) seeds, \(total.steps) steps, \(total.plans) plans, \(total.quiescentChecks) quiescent checks \
            over \(total.slotsChecked) slots (\(total.slotsLostAtQuiescence) with every current copy on dead workers, \
            reported missing); joins \(total.joins), drains \(total.leaves), removals \(total.removals), \
            crashes \(total.crashes), restarts \(total.restarts); writes acked \(total.writesAcknowledged), \
            refused \(total.writesRefused); copies started \(total.copiesStarted) (\(total.deltaCopies) delta), \
            completed \(total.copiesCompleted), failed \(total.copiesFailed); drops \(total.drops) (\(total.dropsRefused) refused by the worker's guard); \
            max rounds to quiesce \(total.maxRoundsToQuiesce); placement moves on join \(total.joinMoves) \
            vs ideal \(Int(total.joinIdealMoves))
            """)
        #expect(failures.isEmpty)
        #expect(total.copiesCompleted > 0 && total.drops > 0 && total.deltaCopies > 0 && total.crashes > 0)
    }
}
