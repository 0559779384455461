import StrataCore
import StrataRPC
import Synchronization

/// Calls one of several coordinators (`--coordinator a,b,c`, `STRATA_COORDINATOR=a,b,c`):
/// the one that answered last. A call that fails UNAVAILABLE -- the coordinator is down, or
/// it follows and names the leader (`strata-leader=host:port`) -- is made again at the named
/// leader, or else at the next address, each address at most twice (with a short pause
/// between rounds, for an election to finish), before the last error is returned.
///
/// Unary calls and server streams that have not delivered anything yet are retried so;
/// a client stream (ingest) is opened at the current coordinator and not retried here (its
/// messages are gone once sent): its caller sends it again (upserts are idempotent).
public final class FailoverTransport: RPCTransport {
    private let channels: [String: any RPCTransport]
    private let state: Mutex<(addresses: [String], current: Int)>
    private let connect: @Sendable (String) -> any RPCTransport
    private let extra = Mutex<[String: any RPCTransport]>([:])
    /// Between rounds over every address.
    let pause: Duration

    public init(addresses: [String], pause: Duration = .milliseconds(500), connect: @escaping @Sendable (String) -> any RPCTransport) {
        let list = addresses.isEmpty ? [""] : addresses
        self.connect = connect
        self.pause = pause
        channels = Dictionary(list.map { ($0, connect($0)) }, uniquingKeysWith: { first, _ in first })
        state = Mutex((list, 0))
    }

    /// Splits "a,b,c" (spaces ignored) into addresses.
    public static func addresses(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }

    /// The coordinator calls go to now.
    public var target: String { state.withLock { $0.addresses[$0.current] } }

    private func transport(_ address: String) -> any RPCTransport {
        if let channel = channels[address] { return channel }
        return extra.withLock { extra in
            if let channel = extra[address] { return channel }
            let channel = connect(address)
            extra[address] = channel
            return channel
        }
    }

    /// After `error` from `address`: the next address to try (the leader it named, else the
    /// next in the list), or nil when the error is not one to retry elsewhere.
    private func moveOn(from address: String, after error: RPCError) -> String? {
        guard error.code == .unavailable else { return nil }
        return state.withLock { state in
            if state.addresses[state.current] == address {
                if let leader = LeaderHint.leader(in: error.message) {
                    if let index = state.addresses.firstIndex(of: leader) {
                        state.current = index
                    } else {
                        state.addresses.append(leader)
                        state.current = state.addresses.count - 1
                    }
                } else {
                    state.current = (state.current + 1) % state.addresses.count
                }
            }
            return state.addresses[state.current]
        }
    }

    private var attempts: Int { state.withLock { 2 * $0.addresses.count } }

    public func unary(_ method: String, _ request: [UInt8], options: CallOptions) async throws(RPCError) -> [UInt8] {
        var address = target
        var tried = 0
        while true {
            do {
                return try await transport(address).unary(method, request, options: options)
            } catch {
                tried += 1
                guard tried < attempts, let next = moveOn(from: address, after: error) else { throw error }
                if tried % max(1, attempts / 2) == 0 { try? await Task.sleep(for: pause) }
                address = next
            }
        }
    }

    public func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var address = target
                var tried = 0
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
                        let status = RPCError(mapping: error)
                        tried += 1
                        guard !delivered, tried < attempts, let next = moveOn(from: address, after: status) else {
                            continuation.finish(throwing: error)
                            return
                        }
                        if tried % max(1, attempts / 2) == 0 { try? await Task.sleep(for: pause) }
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
    /// it again.
    public func clientStreamFailed(at address: String, _ error: RPCError) -> Bool {
        moveOn(from: address, after: error) != nil
    }

    /// How many times a caller may send a client stream again.
    public var retries: Int { attempts - 1 }
}
