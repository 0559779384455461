import ArgumentParser
import StrataCore
import StrataNode

/// strata-coordinator: the front door — placement, query fan-out and merge, recovery.
@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-coordinator",
        abstract: "Run the Strata coordinator.",
        discussion: "Settings come from --config (default config/strata.json when present), then STRATA_* environment variables, then flags."
    )

    @Option(help: "Path of the JSON config file.") var config: String?
    @Option(help: "host:port to serve on (coordinator.listen).") var listen: String?
    @Option(help: "Data directory (node.data_dir).") var data: String?
    @Option(help: "Replicas per slot (coordinator.replicas).") var replicas: Int?
    @Option(help: "host:port clients and workers dial to reach this node (node.advertise_address); default: the listen address.") var advertise: String?
    @Option(name: .customLong("set"), help: "Override any config key: --set rpc.threads=4 (repeatable).") var settings: [String] = []

    func run() async throws {
        let resolved: StrataConfig
        do {
            var overrides = try NodeLauncher.parseSetArguments(settings)
            if let listen { overrides.append(("coordinator.listen", listen)) }
            if let data { overrides.append(("node.data_dir", data)) }
            if let replicas { overrides.append(("coordinator.replicas", String(replicas))) }
            if let advertise { overrides.append(("node.advertise_address", advertise)) }
            resolved = try NodeLauncher.resolveConfig(path: config ?? NodeLauncher.defaultConfigPath, overrides: overrides)
        } catch {
            NodeLauncher.fail("strata-coordinator", error)
        }
        await NodeLauncher.run(name: "strata-coordinator", config: resolved) {
            let coordinator = try await CoordinatorNode.open(config: resolved)
            try coordinator.start()
            return (stop: { await coordinator.shutdown() }, address: coordinator.runtime.address)
        }
    }
}

