import StrataRPC
import Synchronization

/// One channel per worker address, shared by every call to it (gRPC multiplexes calls over
/// one connection, and connecting per call would cost a handshake each time).
final class WorkerChannels: Sendable {
    private let channels = Mutex<[String: RPCChannel]>([:])
    private let limits: MessageLimits

    init(limits: MessageLimits) { self.limits = limits }

    func channel(_ address: String) -> RPCChannel {
        channels.withLock { channels in
            if let existing = channels[address] { return existing }
            let created = RPCChannel(target: address, limits: limits)
            channels[address] = created
            return created
        }
    }
}
