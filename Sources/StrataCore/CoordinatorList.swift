/// Which of several coordinators to call, as a value: the current one, and where to go after
/// a failure -- to the leader a follower's refusal names (`LeaderHint`), unless that one failed
/// itself in the last 2 s (a follower names a dead leader until its lease expires), else to the
/// next address. Shared by the clients' failover and the workers' membership.
public struct CoordinatorList: Sendable, Equatable {
    public private(set) var addresses: [String]
    public private(set) var current = 0
    /// When each address last failed without naming a leader (refused, unreachable).
    private var down: [String: Duration] = [:]

    public init(_ addresses: [String]) {
        self.addresses = addresses.isEmpty ? [""] : addresses
    }

    public var address: String { addresses[current] }

    /// A call to `address` failed UNAVAILABLE at `now` (any monotonic clock), naming `leader`
    /// (its `strata-leader` trailer) or none: moves on and returns where to call next, or nil
    /// when there is nowhere else to go (one address and no leader named).
    public mutating func failed(_ address: String, leader: String?, now: Duration) -> String? {
        if leader == nil { down[address] = now }
        guard leader != nil || addresses.count > 1 else { return nil }
        if self.address == address {  // else another caller moved on already
            if let leader, leader != address, down[leader].map({ now - $0 > .seconds(2) }) ?? true {
                if let index = addresses.firstIndex(of: leader) {
                    current = index
                } else {
                    addresses.append(leader)
                    current = addresses.count - 1
                }
            } else {
                current = (current + 1) % addresses.count
            }
        }
        return self.address
    }
}
