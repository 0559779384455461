/// How an `RPCServer` listens and behaves.
public struct ServerSettings: Sendable {
    /// "host:port" to bind; port 0 picks a free port (read it from `RPCServer.port`).
    public var address: String
    /// Completion-queue threads; each polls its own queue and accepts calls.
    public var completionQueueThreads: Int
    public var limits: MessageLimits
    public var security: ServerSecurity
    /// How long a graceful shutdown waits for in-flight calls before cancelling them.
    public var shutdownGrace: Duration

    public init(
        address: String,
        completionQueueThreads: Int = 2,
        limits: MessageLimits = .default,
        security: ServerSecurity = .insecure,
        shutdownGrace: Duration = .seconds(5)
    ) {
        self.address = address
        self.completionQueueThreads = completionQueueThreads
        self.limits = limits
        self.security = security
        self.shutdownGrace = shutdownGrace
    }
}
