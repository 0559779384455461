import StrataEtcd
import Testing

/// Whether the integration tests can run: they start real etcd members, so they need the
/// `etcd` executable (scripts/install-deps.sh installs Debian's etcd-server). Without it they
/// are reported as skipped, with this reason, never as passed.
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

func text(_ string: String) -> [UInt8] { Array(string.utf8) }
