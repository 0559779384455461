import StrataEtcd
import Testing

/// Whether the etcd-backed tests can run: they start real etcd members, so they need the
/// `etcd` executable (scripts/install-deps.sh installs Debian's etcd-server). Without it they
/// are reported as skipped with this reason, never as passed:
/// `@Suite(.enabled(if: EtcdAvailability.installed, EtcdAvailability.reason))`.
public enum EtcdAvailability {
    public static let installed = LocalEtcd.executablePath != nil
    public static let reason: Comment = "etcd is not installed: run scripts/install-deps.sh (Debian etcd-server) or set STRATA_ETCD_BIN"
}

/// Runs `body` against fresh etcd members, stopped and removed afterwards whatever happens.
public func withEtcd<T>(members: Int = 1, _ body: (LocalEtcd) async throws -> T) async throws -> T {
    let etcd = try await LocalEtcd.start(members: members)
    defer { etcd.stop() }
    return try await body(etcd)
}

/// A client of `endpoints` with a short request timeout (tests kill members on purpose).
public func etcdClient(_ endpoints: [String], timeout: Duration = .seconds(3)) throws -> EtcdClient {
    EtcdClient(try EtcdClientSettings(endpoints: endpoints, requestTimeout: timeout))
}
