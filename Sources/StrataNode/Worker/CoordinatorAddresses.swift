import StrataCore
import StrataRPC
import Synchronization

/// The coordinators a worker registers with (`worker.coordinator`, a list when coordinators
/// share etcd), which one to call now (`CoordinatorList`), and a channel per address.
final class CoordinatorAddresses: Sendable {
    private let connect: @Sendable (String) -> any RPCTransport
    private let state: Mutex<(list: CoordinatorList, channels: [String: any RPCTransport])>
    private let origin = ContinuousClock.now

    init(_ addresses: [String], connect: @escaping @Sendable (String) -> any RPCTransport) {
        self.connect = connect
        state = Mutex((CoordinatorList(addresses), [:]))
    }

    /// The coordinator to call now.
    var current: (address: String, transport: any RPCTransport) {
        state.withLock { state in
            let address = state.list.address
            if let channel = state.channels[address] { return (address, channel) }
            let channel = connect(address)
            state.channels[address] = channel
            return (address, channel)
        }
    }

    /// A call to `address` failed: move to the leader it named, or to the next address.
    func failed(_ address: String, error: any Error) {
        let now = ContinuousClock.now - origin
        let leader = LeaderHint.leader(in: StrataError(relaying: error).metadata)
        _ = state.withLock { $0.list.failed(address, leader: leader, now: now) }
    }
}
