import StrataRPC

/// What a node takes from its surroundings: how it reaches other nodes, whether it serves over
/// gRPC, and how it keeps time.
///
/// `.production` is gRPC core, the system's monotonic clock and the node's own timers. A
/// simulation test runs a whole cluster in one process instead: an in-process network
/// (`connect`), no sockets (`servesGRPC == false`: the test routes calls to
/// `runtime.services` itself), a clock it advances itself (`now`), and timers it fires itself
/// (`runsTimers == false`: the test calls the node's `runTimersOnce()`), so that a failure
/// order found from a seed can be played again.
public struct NodeEnvironment: Sendable {
    /// Opens a transport to another node's address ("host:port").
    public var connect: @Sendable (_ address: String, _ limits: MessageLimits) -> any RPCTransport
    /// Whether the node binds its listen address and serves over gRPC. Without it the node is
    /// reachable only through its services, and its address is the listen address as given.
    public var servesGRPC: Bool
    /// A monotonic clock (any epoch); the failure detector's time.
    public var now: @Sendable () -> Duration
    /// Whether the node runs its periodic work (heartbeats, failure detection) on timers.
    public var runsTimers: Bool

    public init(
        connect: @escaping @Sendable (_ address: String, _ limits: MessageLimits) -> any RPCTransport,
        servesGRPC: Bool, now: @escaping @Sendable () -> Duration, runsTimers: Bool
    ) {
        self.connect = connect
        self.servesGRPC = servesGRPC
        self.now = now
        self.runsTimers = runsTimers
    }

    /// gRPC core, the system's monotonic clock, the node's own timers.
    public static let production = NodeEnvironment(
        connect: { address, limits in RPCChannel(target: address, limits: limits) },
        servesGRPC: true,
        now: { ContinuousClock.now - processEpoch },
        runsTimers: true)
}

/// The production clock's epoch (the first reading in this process).
private let processEpoch = ContinuousClock.now
