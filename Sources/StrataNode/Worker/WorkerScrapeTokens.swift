import StrataAuth
import StrataCore

/// How a worker decides /metrics scrapes under `metrics.require_token`: against the
/// coordinator's token registry as a file it can read (`auth.tokens_file`: the same path on
/// one machine, a read-only mount of it elsewhere), read again on every scrape so a revoked
/// token stops working without a restart. Without a readable file every scrape is refused
/// (closed, not open).
///
/// Several coordinators (sharing etcd) each keep a copy of the shared registry in their own
/// tokens file, so `auth.tokens_file` may list several paths, comma-separated: the readable
/// copy with the highest revision decides (the registry's revision grows with every change,
/// so a stopped coordinator's older copy never outvotes a live one's revocation).
struct WorkerScrapeTokens: Sendable {
    let paths: [String]

    init(config: StrataConfig) {
        paths = config.auth.tokensFile.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func allows(_ authorization: String?) -> Bool {
        let registries = paths.compactMap { try? TokenFileStore(path: $0).load() }
        guard let registry = registries.max(by: { $0.revision < $1.revision }) else { return false }
        return Authorizer(registry: registry).decide(authorization: authorization, required: .observe).error == nil
    }
}
