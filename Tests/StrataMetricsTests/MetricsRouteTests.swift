import Testing

@testable import StrataMetrics

@Suite("MetricsRoute and RPC labels")
struct MetricsRouteTests {
    @Test("only GET or HEAD of /metrics serve metrics")
    func routes() {
        #expect(MetricsRoute.resolve(method: "GET", uri: "/metrics") == .metrics)
        #expect(MetricsRoute.resolve(method: "HEAD", uri: "/metrics") == .metrics)
        #expect(MetricsRoute.resolve(method: "GET", uri: "/metrics?name=x") == .metrics)
        #expect(MetricsRoute.resolve(method: "POST", uri: "/metrics") == .methodNotAllowed)
        #expect(MetricsRoute.resolve(method: "GET", uri: "/") == .notFound)
        #expect(MetricsRoute.resolve(method: "GET", uri: "/metrics/") == .notFound)
        #expect(MetricsRoute.resolve(method: "GET", uri: "/healthz") == .notFound)
    }

    @Test("a method path splits into service and method; anything else is unknown")
    func rpcLabels() {
        #expect(RPCMethodLabels.split("/strata.v1.Worker/Search") == ("strata.v1.Worker", "Search"))
        #expect(RPCMethodLabels.split("/grpc.health.v1.Health/Check") == ("grpc.health.v1.Health", "Check"))
        #expect(RPCMethodLabels.split("unknown") == ("unknown", "unknown"))
        #expect(RPCMethodLabels.split("/a/b/c") == ("unknown", "unknown"))
        #expect(RPCMethodLabels.split("//Search") == ("unknown", "unknown"))
    }
}
