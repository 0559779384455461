import ArgumentParser
import Foundation
import StrataCluster
import StrataCore
import StrataWire

/// `strata-bench soak`: a cluster left running under load while its workers die. One
/// coordinator and 3 workers (R = 2) as child processes take mixed ingest and queries for a set
/// time; every `--kill-every` seconds one worker, in turn, is SIGKILLed and restarted after
/// `--down` seconds. Then a quiet phase of queries only (no new data, no kills) shows whether
/// memory grows without data, and every acknowledged document is read back.
///
/// It fails (exit 1) when an acknowledged document is missing or differs by a byte, when a
/// node's memory grows in the quiet phase beyond what its memory tiers gained, when a worker's
/// /dev/shm use differs from its warm tier's own account, or when a process, directory or
/// shared-memory segment of the soak is left behind. Degraded and failed queries and refused
/// writes are counted and printed, not failures of the soak: they are what a client sees while
/// a worker is down.
struct SoakBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "A 3-worker cluster under ingest + queries for a set time, one worker SIGKILLed and restarted every minute in turn; checks every acknowledged document and each node's memory.",
        discussion: """
            The binaries strata-coordinator and strata-worker are taken from the folder strata-bench is in. \
            Default: 600 s of load, a kill every 60 s (down 10 s), a 60 s quiet phase. --quick: 60 s of load, \
            a kill every 20 s (down 5 s), a 15 s quiet phase. Documents are synthetic (seeded words); queries \
            are lexical top-10 with a 2,000-token assembly.
            """)

    @Flag(help: "One minute of load instead of ten (kills every 20 s, down 5 s, 15 s quiet phase).") var quick = false
    @Option(help: "Seconds of ingest + queries + kills (default 600, --quick 60).") var seconds: Int?
    @Option(help: "Seconds between worker kills (default 60, --quick 20).") var killEvery: Int?
    @Option(help: "Seconds a killed worker stays down before it is restarted (default 10, --quick 5).") var down: Int?
    @Option(help: "Seconds of queries only at the end, for the memory check (default 60, --quick 15).") var quiet: Int?
    @Option(help: "Concurrent query loops.") var queryLoops: Int = 2
    @Option(help: "Documents per Ingest call.") var batchDocuments: Int = 4
    @Option(help: "Seed of the documents and queries.") var seed: UInt64 = 13
    @Option(help: "Folder for the nodes' data directories (removed at the end).") var workDir: String = NSTemporaryDirectory()
    @Flag(help: "Print the nodes' logs when something fails.") var showLogs = false

    var plan: SoakPlan {
        SoakPlan(
            loadSeconds: seconds ?? (quick ? 60 : 600), killEverySeconds: killEvery ?? (quick ? 20 : 60),
            downSeconds: down ?? (quick ? 5 : 10), quietSeconds: quiet ?? (quick ? 15 : 60), workerSettings: Self.workerSettings)
    }

    func validate() throws {
        let plan = plan
        guard plan.loadSeconds >= 10 else { throw ValidationError("--seconds must be at least 10") }
        guard plan.killEverySeconds >= 5 else { throw ValidationError("--kill-every must be at least 5 seconds") }
        guard plan.downSeconds >= 0, plan.downSeconds < plan.killEverySeconds else {
            throw ValidationError("--down must be 0 or more and shorter than --kill-every")
        }
        guard plan.quietSeconds >= 5 else { throw ValidationError("--quiet must be at least 5 seconds") }
        guard (1...8).contains(queryLoops) else { throw ValidationError("--query-loops must be 1 to 8") }
        guard (1...100).contains(batchDocuments) else { throw ValidationError("--batch-documents must be 1 to 100") }
    }

    func run() async throws {
        let nodes = try ClusterBench.ChildNodes(workDir: workDir)
        var failures: [String] = []
        do {
            failures = try await soak(nodes)
        } catch {
            if showLogs { nodes.printLogs() }
            nodes.stopAll()
            throw error
        }
        if !failures.isEmpty && showLogs { nodes.printLogs() }
        nodes.stopAll()
        failures += SoakLeftovers.check(nodes)
        print("")
        if failures.isEmpty {
            print("soak passed: every acknowledged document read back byte for byte, no memory growth without data, nothing left behind")
        } else {
            for failure in failures { print("SOAK FAILED: \(failure)") }
            throw ExitCode(1)
        }
    }

    /// The whole run; returns the failed checks (empty: passed).
    private func soak(_ nodes: ClusterBench.ChildNodes) async throws -> [String] {
        let plan = plan
        print("# strata-bench soak: 1 coordinator + 3 workers on loopback (R = 2), \(ProcessInfo.processInfo.activeProcessorCount) cores shared by all")
        print("# \(plan.loadSeconds) s of ingest (\(batchDocuments) documents per call) + \(queryLoops) query loops; a worker SIGKILLed every \(plan.killEverySeconds) s in turn, restarted after \(plan.downSeconds) s; then \(plan.quietSeconds) s of queries only")
        SoakBench.progress("# coordinator: \(ClusterBench.coordinatorSettings.joined(separator: " ")); workers: \(plan.workerSettings.joined(separator: " "))\n")
        try nodes.startCoordinator(settings: ClusterBench.coordinatorSettings)
        for _ in 0..<3 { try nodes.startWorker(settings: Self.workerSettings) }
        let client = ClusterBench.ClusterClient(address: nodes.coordinatorAddress)
        try await SoakLoad.waitReady(client, workers: nodes.workers.map(\.address), timeout: .seconds(60))
        try await client.createNamespace(SoakCorpus.namespace, tokenizer: .estimate, dimension: 0)
        let atStart = await SoakMemory.sample(nodes)

        let tally = SoakTally()
        let corpus = SoakCorpus(seed: seed, documentsPerBatch: batchDocuments)
        let load = SoakLoad(client: client, corpus: corpus, tally: tally, queryLoops: queryLoops)
        try await load.run(nodes: nodes, plan: plan)
        SoakBench.progress("load over; waiting for every worker to serve and every slot to be fully replicated")
        let settled = ContinuousClock.now
        try await SoakLoad.waitReady(client, workers: nodes.workers.map(\.address), timeout: .seconds(180))
        SoakBench.progress("ready again after \(format((ContinuousClock.now - settled).seconds, 1)) s; \(plan.quietSeconds) s of queries only")

        let quietStart = await SoakMemory.sample(nodes)
        try await load.queriesOnly(seconds: plan.quietSeconds)
        let quietEnd = await SoakMemory.sample(nodes)
        let readBack = try await SoakReadBack.verify(client: client, nodes: nodes, acknowledged: tally.acknowledged())

        print("")
        tally.printTable(plan: plan, readBack: readBack)
        print("")
        SoakMemory.printTable(start: atStart, quietStart: quietStart, end: quietEnd)
        var failures = readBack.failures
        failures += SoakMemory.growthWithoutData(from: quietStart, to: quietEnd)
        failures += await SoakMemory.sharedMemoryMismatches(nodes)
        return failures
    }
}

extension SoakBench {
    /// Prints a line at once (standard output to a file is buffered), so that a soak's
    /// progress shows in its log as it happens.
    static func progress(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// A 1 MiB hot tier, so that what queries read overflows into the warm tier and its shared
    /// memory grows (and is checked) with data.
    static let workerSettings = ["--set", "tiers.hot.capacity_bytes=1048576"]
}

/// The timing of one soak.
struct SoakPlan {
    var loadSeconds: Int
    var killEverySeconds: Int
    var downSeconds: Int
    var quietSeconds: Int
    /// Settings every worker starts (and restarts) with.
    var workerSettings: [String]
}
