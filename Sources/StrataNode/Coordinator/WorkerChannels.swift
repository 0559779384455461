import StrataRPC
import Synchronization

/// One transport per worker address, shared by every call to it (gRPC multiplexes calls over
/// one connection, and connecting per call would cost a handshake each time).
final class WorkerChannels: Sendable {
    private let channels = Mutex<[String: any RPCTransport]>([:])
    private let connect: @Sendable (String) -> any RPCTransport

    init(connect: @escaping @Sendable (String) -> any RPCTransport) { self.connect = connect }

    func channel(_ address: String) -> any RPCTransport {
        channels.withLock { channels in
            if let existing = channels[address] { return existing }
            let created = connect(address)
            channels[address] = created
            return created
        }
    }
}
