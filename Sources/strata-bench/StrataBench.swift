import ArgumentParser

/// `strata-bench`: benchmarks that print figures (never asserted in tests).
@main
struct StrataBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-bench",
        abstract: "Measure Strata: RPC round trips, tokenizer throughput, and more.",
        discussion: "Build in release first (swift build -c release). Figures are medians over repeated runs; the machine is shared and noisy, so compare the ratios printed.",
        subcommands: [RPCBench.self, TokenBench.self, StoreBench.self, SearchBench.self, IVFBench.self, ClusterBench.self, CorpusExport.self, ServiceBench.self, SoakBench.self, IngestCurveBench.self, SyncBench.self, EmbedBench.self, EtcdBench.self, WorkerRestartBench.self]
    )
}
