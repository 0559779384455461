import StrataCore
import StrataRPC
import Synchronization

/// Calls one of several coordinators (`--coordinator a,b,c`, `STRATA_COORDINATOR=a,b,c`):
/// the one that answered last. A call that fails UNAVAILABLE -- the coordinator is down, or
/// it follows and names the leader (the `strata-leader` trailer) -- is made again at the named
/// leader (unless that one just failed: a follower names a dead leader until its lease
/// expires), or else at the next address, every 100 ms for up to `patience` (long enough for
/// an election), before the last error is returned. A single address that names no leader
/// is not retried.
///
/// Unary calls and server streams that have not delivered anything yet are retried so;
/// a client stream (ingest) is opened at the current coordinator and not retried here (its
/// messages are gone once sent): its caller sends it again (upserts are idempotent).
public final class FailoverTransport: RPCTransport {
    private let channels: [String: any RPCTransport]
    private let list: Mutex<CoordinatorList>
    private let connect: @Sendable (String) -> any RPCTransport
    private let extra = Mutex<[String: any RPCTransport]>([:])
    /// How long a call keeps failing over before it gives up.
    public let patience: Duration
    private let clock = ContinuousClock()
    private let origin = ContinuousClock.now

    public init(addresses: [String], patience: Duration = .seconds(10), connect: @escaping @Sendable (String) -> any RPCTransport) {
        let list = addresses.isEmpty ? [""] : addresses
        self.connect = connect
        self.patience = patience
        channels = Dictionary(list.map { ($0, connect($0)) }, uniquingKeysWith: { first, _ in first })
        self.list = Mutex(CoordinatorList(list))
    }

    /// Splits "a,b,c" (spaces ignored) into addresses.
    public static func addresses(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }

    /// The coordinator calls go to now.
    public var target: String { list.withLock { $0.address } }

    private func transport(_ address: String) -> any RPCTransport {
        if let channel = channels[address] { return channel }
        return extra.withLock { extra in
            if let channel = extra[address] { return channel }
            let channel = connect(address)
            extra[address] = channel
            return channel
        }
    }

    /// After `error` from `address`: the next address to try (the leader it named, unless
    /// that one failed in the last 2 s; else the next in the list), or nil when the error is
    /// not one to retry elsewhere.
    private func moveOn(from address: String, after error: RPCError) -> String? {
        guard error.code == .unavailable else { return nil }
        let now = clock.now - origin
        return list.withLock { $0.failed(address, leader: LeaderHint.leader(in: error.metadata), now: now) }
    }

    public func unary(_ method: String, _ request: [UInt8], options: CallOptions) async throws(RPCError) -> [UInt8] {
        let giveUp = clock.now + patience
        var address = target
        while true {
            do {
                return try await transport(address).unary(method, request, options: options)
            } catch {
                guard clock.now < giveUp, let next = moveOn(from: address, after: error) else { throw error }
                try? await Task.sleep(for: .milliseconds(100))
                address = next
            }
        }
    }

    public func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                let giveUp = clock.now + patience
                var address = target
                while true {
                    var delivered = false
                    do {
                        for try await message in transport(address).serverStreaming(method, request, options: options) {
                            delivered = true
                            continuation.yield(message)
                        }
                        continuation.finish()
                        return
                    } catch {
                        guard !delivered, clock.now < giveUp, let next = moveOn(from: address, after: RPCError(mapping: error)) else {
                            continuation.finish(throwing: error)
                            return
                        }
                        try? await Task.sleep(for: .milliseconds(100))
                        address = next
                    }
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func openClientStream(_ method: String, options: CallOptions) throws(RPCError) -> any RPCClientStream {
        try transport(target).openClientStream(method, options: options)
    }

    /// Notes that a client stream opened at `address` failed with `error` (so that the next
    /// call goes to the leader or the next coordinator); true when the caller should send
    /// it again (it may for up to `patience` after its first failure).
    public func clientStreamFailed(at address: String, _ error: RPCError) -> Bool {
        moveOn(from: address, after: error) != nil
    }
}
