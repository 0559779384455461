import Foundation
import StrataTestSupport
import Testing

/// A seeded simulation of the whole cluster in one process: real coordinator and workers over
/// an in-process network with injected faults (see `ClusterScenario`). Each scenario prints
/// its seed; `STRATA_SIM_SEED=<seed>` replays one, `STRATA_SIM_SCENARIOS=<n>` runs more.
@Suite(.serialized) struct ClusterSimulationTests {
    @Test func acknowledgedWritesSurviveEveryFailureOrder() async throws {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["STRATA_SIM_SEED"].flatMap { UInt64($0) }
        let count = base == nil ? (environment["STRATA_SIM_SCENARIOS"].flatMap { Int($0) } ?? 12) : 1
        let seeds = (0..<count).map { (base ?? 0x5151_0000) &+ UInt64($0) }
        for seed in seeds {
            let started = ContinuousClock.now
            var random = seed
            let workers = 3 + Int(random % 2)
            random /= 2
            let replicas = 2 + Int(random % 2)
            let scenario = try ClusterScenario(seed: seed, workers: workers, replicas: replicas)
            try await scenario.prepare()
            await scenario.run(steps: 80)
            await scenario.healAndCheck()
            if scenario.violations.isEmpty && scenario.knownLimit == nil { await scenario.compareWithSingleWorker() }
            let model = scenario.model
            print("simulation seed \(seed): \(workers) workers, R=\(replicas), \(model.ids(.acknowledged).count) acknowledged, "
                + "\(model.ids(.deleted).count) deleted, namespaces created \(scenario.namespaceCounters.created) / dropped \(scenario.namespaceCounters.dropped) (\(scenario.namespaceCounters.dropsFailed) failed), stray calls \(scenario.strayCalls), disk lost: \(scenario.lostOne)\(scenario.knownLimit.map { " (known limit: \($0))" } ?? ""); network: \(scenario.cluster.network.counters); took \(ContinuousClock.now - started)")
            if !scenario.violations.isEmpty {
                print("simulation seed \(seed) FAILED (replay: STRATA_SIM_SEED=\(seed)); steps:\n" + scenario.log.joined(separator: "\n"))
            }
            #expect(scenario.violations.isEmpty, "seed \(seed): \(scenario.violations.joined(separator: "\n"))")
            await scenario.cluster.destroy()
        }
    }
}
