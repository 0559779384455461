import ArgumentParser
import StrataCore
import StrataNode

/// strata-worker: holds slots in the four-tier hierarchy and answers searches over them.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata-worker",
        abstract: "Run a Strata worker.",
        discussion: "Settings come from --config (default config/strata.json when present), then STRATA_* environment variables, then flags."
    )

    @Option(help: "Path of the JSON config file.") var config: String?
    @Option(help: "host:port to serve on (worker.listen).") var listen: String?
    @Option(help: "Data directory (node.data_dir).") var data: String?
    @Option(help: "host:port of the coordinator (worker.coordinator); empty runs standalone.") var coordinator: String?
    @Option(help: "Zone label (node.zone).") var zone: String?
    @Option(help: "host:port other nodes dial to reach this one (node.advertise_address); default: the listen address.") var advertise: String?
    @Option(name: .customLong("set"), help: "Override any config key: --set rpc.threads=4 (repeatable).") var settings: [String] = []
    @Flag(help: "Remove the warm tier this worker's data directory left in shared memory (a graceful stop keeps it for a fast restart), then exit; refused while the worker runs.")
    var removeWarmTier = false
    @Flag(help: "List every Strata warm tier in /dev/shm on this machine (owner data directory and node, shared memory allocated, attached or not, orphaned or not), then exit.")
    var listWarmTiers = false
    @Flag(help: "With --list-warm-tiers: print JSON instead of a table.")
    var json = false

    func validate() throws {
        if json && !listWarmTiers { throw ValidationError("--json applies to --list-warm-tiers only") }
    }

    func run() async throws {
        if listWarmTiers {
            print(WorkerNode.warmTierListing(json: json))
            return
        }
        let resolved: StrataConfig
        do {
            var overrides = try NodeLauncher.parseSetArguments(settings)
            if let listen { overrides.append(("worker.listen", listen)) }
            if let data { overrides.append(("node.data_dir", data)) }
            if let coordinator { overrides.append(("worker.coordinator", coordinator)) }
            if let zone { overrides.append(("node.zone", zone)) }
            if let advertise { overrides.append(("node.advertise_address", advertise)) }
            resolved = try NodeLauncher.resolveConfig(path: config ?? NodeLauncher.defaultConfigPath, overrides: overrides)
        } catch {
            NodeLauncher.fail("strata-worker", error)
        }
        if removeWarmTier {
            do {
                let (name, removed) = try WorkerNode.removeWarmTier(config: resolved)
                print(removed ? "strata-worker: removed warm tier \(name) of \(resolved.node.dataDir)"
                              : "strata-worker: no warm tier in shared memory for \(resolved.node.dataDir)")
                return
            } catch {
                NodeLauncher.fail("strata-worker", error)
            }
        }
        await NodeLauncher.run(name: "strata-worker", config: resolved) {
            let worker = try WorkerNode(config: resolved)
            try worker.start()
            return (stop: { await worker.shutdown() }, address: worker.runtime.address)
        }
    }
}

