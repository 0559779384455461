import StrataCore
import StrataRPC
import Synchronization

/// The coordinators a node or client may call, and which one to call now: the last that
/// answered; after a failure the leader a follower named in its error (`strata-leader=`), or
/// else the next in the list. Channels are made once per address.
final class CoordinatorAddresses: Sendable {
    private let connect: @Sendable (String) -> any RPCTransport
    private let state: Mutex<(addresses: [String], current: Int, channels: [String: any RPCTransport])>

    init(_ addresses: [String], connect: @escaping @Sendable (String) -> any RPCTransport) {
        self.connect = connect
        state = Mutex((addresses.isEmpty ? [""] : addresses, 0, [:]))
    }

    /// The coordinator to call now.
    var current: (address: String, transport: any RPCTransport) {
        state.withLock { state in
            let address = state.addresses[state.current]
            if let channel = state.channels[address] { return (address, channel) }
            let channel = connect(address)
            state.channels[address] = channel
            return (address, channel)
        }
    }

    /// A call to `address` failed: move to the leader it named, or to the next address.
    func failed(_ address: String, error: any Error) {
        let leader = LeaderHint.leader(in: "\(error)")
        state.withLock { state in
            guard state.addresses[state.current] == address else { return }  // another caller moved on already
            if let leader {
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
    }
}
