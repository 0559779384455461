/// One value of one series, read from a node's state at scrape time.
///
/// The mapping from state to samples is pure (see `NodeSeries`, `ClusterSeries`) so tests can
/// check names, labels and values without a registry or a socket; `NodeMetrics` writes the
/// samples into its Prometheus registry just before it renders.
public struct MetricSample: Sendable, Equatable {
    /// Counters only go up (Prometheus `counter`); gauges go up and down (`gauge`).
    public enum Kind: Sendable, Equatable {
        case counter, gauge
    }

    /// The series name, `strata_` prefixed; counters end in `_total`.
    public var name: String
    /// The `# HELP` text of the family (the same for every sample of a name).
    public var help: String
    public var kind: Kind
    public var labels: [Label]
    public var value: Double

    public init(_ name: String, _ kind: Kind, _ value: Double, labels: [Label] = [], help: String) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
        self.value = value
    }

    /// A label name and value.
    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The labels as swift-prometheus takes them.
    var labelPairs: [(String, String)] { labels.map { ($0.name, $0.value) } }
}
