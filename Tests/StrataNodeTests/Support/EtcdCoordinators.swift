import StrataCore
import StrataNode
import StrataTestSupport

/// In-process coordinators sharing a test's etcd (`withEtcd`): their settings, whether one
/// leads, and polling until something holds.
enum EtcdCoordinators {
    /// `SmallCluster`'s settings on etcd at `etcd` under `prefix`, with a 2 s lease.
    static func config(_ directory: String, etcd: [String], prefix: String) throws -> StrataConfig {
        var config = try SmallCluster.config(directory)
        try config.set("coordinator.etcd_endpoints", text: etcd.joined(separator: ","))
        try config.set("coordinator.etcd_prefix", text: prefix)
        try config.set("coordinator.lease_ttl_ms", text: "2000")
        return config
    }

    static func leads(_ coordinator: CoordinatorNode) -> Bool {
        coordinator.status().controlPlane?.role == .leader
    }

    /// Polls `condition` (a generous cap only stops a hang; nothing here is timed).
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let giveUp = ContinuousClock.now + .seconds(300)  // a hang guard: on two busy cores the pool has been saturated for over a minute
        while ContinuousClock.now < giveUp {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
