import CStrataProto
import StrataCore

// One mapping per enum between StrataCore's Swift enums and protobuf-c's C enums.

extension NodeRole {
    var wire: Strata__V1__NodeRole {
        switch self {
        case .coordinator: STRATA__V1__NODE_ROLE__NODE_ROLE_COORDINATOR
        case .worker: STRATA__V1__NODE_ROLE__NODE_ROLE_WORKER
        }
    }

    init(wire: Strata__V1__NodeRole) {
        self = wire == STRATA__V1__NODE_ROLE__NODE_ROLE_COORDINATOR ? .coordinator : .worker
    }
}

extension ControlPlaneStatus.Role {
    private static let table: [(ControlPlaneStatus.Role, Strata__V1__CoordinatorRole)] = [
        (.unspecified, STRATA__V1__COORDINATOR_ROLE__COORDINATOR_ROLE_UNSPECIFIED),
        (.local, STRATA__V1__COORDINATOR_ROLE__COORDINATOR_ROLE_LOCAL),
        (.leader, STRATA__V1__COORDINATOR_ROLE__COORDINATOR_ROLE_LEADER),
        (.follower, STRATA__V1__COORDINATOR_ROLE__COORDINATOR_ROLE_FOLLOWER),
    ]

    var wire: Strata__V1__CoordinatorRole { Self.table.first { $0.0 == self }!.1 }

    init(wire: Strata__V1__CoordinatorRole) {
        self = Self.table.first { $0.1 == wire }?.0 ?? .unspecified
    }
}

extension NodeState {
    private static let table: [(NodeState, Strata__V1__NodeState)] = [
        (.unknown, STRATA__V1__NODE_STATE__NODE_STATE_UNKNOWN),
        (.starting, STRATA__V1__NODE_STATE__NODE_STATE_STARTING),
        (.serving, STRATA__V1__NODE_STATE__NODE_STATE_SERVING),
        (.suspect, STRATA__V1__NODE_STATE__NODE_STATE_SUSPECT),
        (.dead, STRATA__V1__NODE_STATE__NODE_STATE_DEAD),
        (.draining, STRATA__V1__NODE_STATE__NODE_STATE_DRAINING),
    ]

    var wire: Strata__V1__NodeState { Self.table.first { $0.0 == self }!.1 }

    init(wire: Strata__V1__NodeState) {
        self = Self.table.first { $0.1 == wire }?.0 ?? .unknown
    }
}

extension TierName {
    private static let table: [(TierName, Strata__V1__Tier)] = [
        (.hot, STRATA__V1__TIER__TIER_HOT),
        (.warm, STRATA__V1__TIER__TIER_WARM),
        (.cold, STRATA__V1__TIER__TIER_COLD),
        (.persistent, STRATA__V1__TIER__TIER_PERSISTENT),
    ]

    var wire: Strata__V1__Tier { Self.table.first { $0.0 == self }!.1 }

    init?(wire: Strata__V1__Tier) {
        guard let match = Self.table.first(where: { $0.1 == wire }) else { return nil }
        self = match.0
    }
}
