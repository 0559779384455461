import StrataRPC
import StrataWire
import Synchronization

/// The standard `grpc.health.v1.Health` service, per service name.
///
/// The empty name stands for the whole server. Watchers get the current status at once and
/// again on every change, until they leave or the server shuts down.
public final class HealthService: Sendable {
    private struct State {
        var statuses: [String: ServingStatus]
        var watchers: [String: [UInt64: AsyncStream<ServingStatus>.Continuation]] = [:]
        var nextWatcher: UInt64 = 0
        var closed = false
    }

    private let state: Mutex<State>

    /// Starts with every listed service (and the server, "") NOT_SERVING.
    public init(services: [String]) {
        var statuses: [String: ServingStatus] = ["": .notServing]
        for service in services { statuses[service] = .notServing }
        state = Mutex(State(statuses: statuses))
    }

    /// Adds services (NOT_SERVING) once they exist; a name already known keeps its status.
    public func register(_ services: [String]) {
        state.withLock { state in
            for service in services where state.statuses[service] == nil { state.statuses[service] = .notServing }
        }
    }

    /// Sets the status of `service` (or of the whole server with "") and tells its watchers.
    public func setStatus(_ status: ServingStatus, for service: String = "") {
        state.withLock { state in
            guard state.statuses[service] != status else { return }
            state.statuses[service] = status
            for continuation in state.watchers[service, default: [:]].values { continuation.yield(status) }
        }
    }

    /// Sets every service and the server at once.
    public func setAll(_ status: ServingStatus) {
        let names = state.withLock { Array($0.statuses.keys) }
        for name in names { setStatus(status, for: name) }
    }

    /// The current status of `service`, nil if unknown.
    public func status(of service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// Ends every Watch stream (at shutdown, so draining is not held up by watchers).
    public func close() {
        // Finish outside the lock: finishing runs onTermination, which takes the lock.
        let continuations = state.withLock { state in
            state.closed = true
            defer { state.watchers.removeAll() }
            return state.watchers.values.flatMap(\.values)
        }
        for continuation in continuations { continuation.finish() }
    }

    /// The service definition to register on a server.
    public var definition: ServiceDefinition {
        var service = ServiceDefinition(name: StrataServiceName.health)
        service.unary("Check", HealthCheckRequest.self, HealthCheckResponse.self) { [self] request, _ in
            guard let status = self.status(of: request.service) else {
                throw RPCError(.notFound, "unknown service \"\(request.service)\"")
            }
            return HealthCheckResponse(status: status)
        }
        service.serverStreaming("Watch", HealthCheckRequest.self, HealthCheckResponse.self) { [self] request, writer, context in
            for await status in self.watch(request.service, until: context) {
                try await writer.send(HealthCheckResponse(status: status))
            }
        }
        return service
    }

    /// The statuses of `service`: the current one, then every change.
    /// The stream ends when the call is cancelled (the client left) or the service closes.
    func watch(_ service: String, until context: ServerContext) -> AsyncStream<ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: ServingStatus.self, bufferingPolicy: .bufferingNewest(8))
        let id = state.withLock { state -> UInt64? in
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            guard !state.closed else { return nil }
            state.nextWatcher += 1
            state.watchers[service, default: [:]][state.nextWatcher] = continuation
            return state.nextWatcher
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        // A strong capture: the cycle (service → continuation → this closure → service) ends
        // when the stream terminates, which cancellation or close() always brings about.
        continuation.onTermination = { [self] _ in
            self.state.withLock { _ = $0.watchers[service]?.removeValue(forKey: id) }
        }
        context.onCancellation { continuation.finish() }
        return stream
    }
}
