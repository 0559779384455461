import StrataControlPlane
import StrataEtcd
import Testing

/// Whether the etcd-backed tests can run (they start real etcd members). Without the `etcd`
/// executable they are reported as skipped with this reason, never as passed.
enum EtcdAvailability {
    static let installed = LocalEtcd.executablePath != nil
    static let reason: Comment = "etcd is not installed: run scripts/install-deps.sh (Debian etcd-server) or set STRATA_ETCD_BIN"
}

/// Runs `body` against fresh etcd members, stopped and removed afterwards whatever happens.
func withEtcd<T>(members: Int = 1, _ body: (LocalEtcd) async throws -> T) async throws -> T {
    let etcd = try await LocalEtcd.start(members: members)
    defer { etcd.stop() }
    return try await body(etcd)
}

func etcdClient(_ endpoints: [String], timeout: Duration = .seconds(3)) throws -> EtcdClient {
    EtcdClient(try EtcdClientSettings(endpoints: endpoints, requestTimeout: timeout))
}

/// Waits (polling every 10 ms, at most `limit`) until `condition` holds; the time it took.
@discardableResult
func waitFor(_ what: String, limit: Duration = .seconds(20), _ condition: () async -> Bool) async throws -> Duration {
    let started = ContinuousClock.now
    while !(await condition()) {
        guard ContinuousClock.now - started < limit else {
            Issue.record("\(what): not within \(limit)")
            return limit
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    return ContinuousClock.now - started
}
