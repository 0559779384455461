import CoreMetrics
import Prometheus

/// The swift-metrics handles of one RPC method: its latency timer and a counter per status code.
struct RPCHandles {
    let labels: (service: String, method: String)
    let timer: CoreMetrics.Timer
    var counters: [String: CoreMetrics.Counter] = [:]

    init(path: String, factory: PrometheusMetricsFactory) {
        labels = RPCMethodLabels.split(path)
        timer = CoreMetrics.Timer(label: NodeMetrics.rpcDuration, dimensions: [("service", labels.service), ("method", labels.method)],
                                  factory: factory)
    }

    mutating func makeCounter(code: String, factory: PrometheusMetricsFactory) -> CoreMetrics.Counter {
        let counter = CoreMetrics.Counter(label: NodeMetrics.rpcRequests,
                                          dimensions: [("service", labels.service), ("method", labels.method), ("code", code)], factory: factory)
        counters[code] = counter
        return counter
    }
}
