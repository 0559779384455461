import CoreMetrics
import Prometheus
import Synchronization

/// One node's metrics: a Prometheus registry of its own, the RPC series recorded as calls
/// finish, and samplers that read the node's state each time it is scraped.
///
/// Each node has its own registry rather than the process-wide `MetricsSystem`, so tests that
/// run several nodes in one process see each node's numbers apart. Events (RPCs, ingests) are
/// recorded through swift-metrics handles made by a `PrometheusMetricsFactory` over this
/// registry; state that the node already keeps (tiers, cluster map) is sampled at scrape time.
public final class NodeMetrics: Sendable {
    /// Latency buckets of the RPC histogram: sub-millisecond reads up to slow ingests.
    public static let rpcDurationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    static let rpcRequests = "strata_rpc_requests_total"
    static let rpcDuration = "strata_rpc_duration_seconds"

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// swift-metrics handles, made once per method path (and status code) and reused: a call
    /// costs two dictionary lookups under the lock, no allocation.
    private let handles = Mutex<[String: RPCHandles]>([:])
    private let samplers = Mutex<[@Sendable () -> [MetricSample]]>([])
    /// Serializes scrapes: sampled counters are set by reset-then-increment, which two
    /// concurrent scrapes must not interleave.
    private let scrape = Mutex<Void>(())
    /// The ingest counters (documents, chunks, tokens); only nodes that take ingests have them.
    private let ingestCounters: (documents: Prometheus.Counter, chunks: Prometheus.Counter, tokens: Prometheus.Counter)?

    /// - Parameter countsIngest: whether this node takes ingests (the coordinator), so its
    ///   ingest counters are exported from the start, at 0.
    public init(countsIngest: Bool = false) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.rpcDuration] = Self.rpcDurationBuckets
        self.factory = factory
        ingestCounters = countsIngest ? (
            registry.makeCounter(descriptor: Self.descriptor("strata_ingest_documents_total", "Documents stored through Ingest.")),
            registry.makeCounter(descriptor: Self.descriptor("strata_ingest_chunks_total", "Chunks stored through Ingest.")),
            registry.makeCounter(descriptor: Self.descriptor("strata_ingest_tokens_total", "Tokens stored through Ingest."))
        ) : nil
    }

    /// Counts one finished RPC and records its latency. `path` is the full method path
    /// ("/strata.v1.Worker/Search"), `code` the gRPC status name ("OK", "INVALID_ARGUMENT").
    public func recordRPC(path: String, code: String, duration: Duration) {
        let (counter, timer) = handles.withLock { handles in
            var entry = handles[path] ?? RPCHandles(path: path, factory: factory)
            if let counter = entry.counters[code] { return (counter, entry.timer) }
            let counter = entry.makeCounter(code: code, factory: factory)
            handles[path] = entry
            return (counter, entry.timer)
        }
        counter.increment()
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Counts what one ingest batch stored (the coordinator calls it per acknowledged batch).
    public func recordIngest(documents: UInt64, chunks: UInt64, tokens: UInt64) {
        guard let ingestCounters else { return }
        ingestCounters.documents.increment(by: Int64(clamping: documents))
        ingestCounters.chunks.increment(by: Int64(clamping: chunks))
        ingestCounters.tokens.increment(by: Int64(clamping: tokens))
    }

    /// Adds a reader of the node's state, called at every scrape.
    public func addSampler(_ sampler: @escaping @Sendable () -> [MetricSample]) {
        samplers.withLock { $0.append(sampler) }
    }

    /// Samples the node's state and renders every series in the Prometheus text format.
    public func render() -> [UInt8] {
        let readers = samplers.withLock { $0 }
        return scrape.withLock { _ in
            for reader in readers {
                for sample in reader() { apply(sample) }
            }
            return registry.emitToBuffer()
        }
    }

    private func apply(_ sample: MetricSample) {
        let labels = sample.labelPairs
        let descriptor = Self.descriptor(sample.name, sample.help)
        switch sample.kind {
        case .gauge:
            let gauge = labels.isEmpty
                ? registry.makeGauge(descriptor: descriptor)
                : registry.makeGauge(descriptor: descriptor, labels: labels)
            gauge.set(sample.value)
        case .counter:
            // The source keeps the running total; the registry's counter is set to it.
            let counter = labels.isEmpty
                ? registry.makeCounter(descriptor: descriptor)
                : registry.makeCounter(descriptor: descriptor, labels: labels)
            counter.reset()
            counter.increment(by: Int64(clamping: UInt64(max(0, sample.value))))
        }
    }

    /// A full name with its help text (the unit is already part of Strata's names).
    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
