import StrataCore
import StrataRPC
import StrataWire

/// The worker process's shell: serves `strata.v1.Worker` and health.
public final class WorkerNode: Sendable {
    public let runtime: NodeRuntime

    /// Loads the identity from the data directory and binds the listen address.
    public init(config: StrataConfig) throws {
        let identity = try NodeIdentity.loadOrCreate(in: config.node.dataDir, prefix: "worker")
        var service = ServiceDefinition(name: StrataServiceName.worker)
        let box = RuntimeBox()
        service.unary("Status", WorkerStatusRequest.self, NodeStatusMessage.self) { _, _ in
            NodeStatusMessage(box.worker!.status())
        }
        runtime = try NodeRuntime(role: .worker, identity: identity, config: config,
                                  listen: config.worker.listen, services: [service])
        box.worker = self
    }

    public func start() throws {
        try runtime.start()
        runtime.markServing()
    }

    public func shutdown() async { await runtime.shutdown() }

    /// The worker's own status.
    public func status() -> NodeStatusReport {
        var report = runtime.baseStatus(state: runtime.health.status(of: "") == .serving ? .serving : .starting)
        report.notes = ["hot tier backend: host memory (no GPU on this machine)"]
        return report
    }
}

/// Lets a handler registered before the node exists reach it once it does.
final class RuntimeBox: @unchecked Sendable {
    weak var worker: WorkerNode?
    weak var coordinator: CoordinatorNode?
}
