import StrataAuth
import StrataCore

/// How a worker decides /metrics scrapes under `metrics.require_token`: against the
/// coordinator's token registry as a file it can read (`auth.tokens_file`: the same path on
/// one machine, a read-only mount of it elsewhere), read again on every scrape so a revoked
/// token stops working without a restart. Without a readable file every scrape is refused
/// (closed, not open).
struct WorkerScrapeTokens: Sendable {
    let path: String

    init(config: StrataConfig) {
        path = config.auth.tokensFile
    }

    func allows(_ authorization: String?) -> Bool {
        guard !path.isEmpty, let registry = try? TokenFileStore(path: path).load() else { return false }
        return Authorizer(registry: registry).decide(authorization: authorization, required: .observe).error == nil
    }
}
