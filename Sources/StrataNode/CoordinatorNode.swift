import StrataCore
import StrataRPC
import StrataWire

/// The coordinator process's shell: serves `strata.v1.Coordinator` and health.
public final class CoordinatorNode: Sendable {
    public let runtime: NodeRuntime

    public init(config: StrataConfig) throws {
        let identity = try NodeIdentity.loadOrCreate(in: config.node.dataDir, prefix: "coordinator")
        var service = ServiceDefinition(name: StrataServiceName.coordinator)
        let box = RuntimeBox()
        service.unary("GetNodeStatus", NodeStatusRequest.self, NodeStatusMessage.self) { request, _ in
            let coordinator = try box.liveCoordinator()
            guard request.nodeID.isEmpty || request.nodeID == coordinator.runtime.identity.nodeID else {
                throw StrataError.notFound("node \(request.nodeID) is not a member of this cluster")
            }
            return NodeStatusMessage(coordinator.status())
        }
        runtime = try NodeRuntime(role: .coordinator, identity: identity, config: config,
                                  listen: config.coordinator.listen, services: [service])
        box.coordinator = self
    }

    public func start() throws {
        try runtime.start()
        runtime.markServing()
    }

    public func shutdown() async { await runtime.shutdown() }

    public func status() -> NodeStatusReport {
        runtime.baseStatus(state: runtime.health.status(of: "") == .serving ? .serving : .starting)
    }
}
