/// What the metrics listener answers to one request line: only `GET /metrics` (and `HEAD`)
/// serve the metrics; any other path is 404 and any other method on /metrics is 405.
public enum MetricsRoute: Equatable, Sendable {
    case metrics
    case notFound
    case methodNotAllowed

    /// The path every scraper asks for.
    public static let path = "/metrics"

    /// Routes by method and request target; a query string is ignored (`/metrics?x=1`).
    public static func resolve(method: String, uri: String) -> MetricsRoute {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard path == Self.path else { return .notFound }
        return method == "GET" || method == "HEAD" ? .metrics : .methodNotAllowed
    }
}
