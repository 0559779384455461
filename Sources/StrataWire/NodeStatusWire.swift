import CStrataProto
import StrataCore
import StrataRPC

/// `strata.v1.NodeStatus` carrying a `NodeStatusReport`.
public struct NodeStatusMessage: RPCMessage, Equatable {
    public var report: NodeStatusReport

    public init(_ report: NodeStatusReport) { self.report = report }

    public init(serializedBytes bytes: [UInt8]) throws {
        report = try WireReader.decode(
            bytes, "strata.v1.NodeStatus",
            unpack: { strata__v1__node_status__unpack(nil, $0, $1) },
            free: { strata__v1__node_status__free_unpacked($0, nil) }
        ) { try NodeStatusMessage.read($0, at: { "" }) }
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ Self.build(report, in: $0) },
                         size: { strata__v1__node_status__get_packed_size($0) },
                         pack: { strata__v1__node_status__pack($0, $1) })
    }

    static func build(_ report: NodeStatusReport, in arena: WireArena) -> Strata__V1__NodeStatus {
        var message = Strata__V1__NodeStatus()
        strata__v1__node_status__init(&message)
        message.node_id = arena.string(report.nodeID)
        message.role = report.role.wire
        message.address = arena.string(report.address)
        message.zone = arena.string(report.zone)
        message.state = report.state.wire
        message.version = arena.string(report.version)
        message.uptime_seconds = report.uptimeSeconds
        message.started_at_unix = report.startedAtUnix
        message.n_tiers = report.tiers.count
        message.tiers = arena.messages(report.tiers.map { TierStatusWire.build($0, in: arena) })
        message.wal_bytes = report.walBytes
        message.segment_bytes = report.segmentBytes
        message.n_slots = report.slots.count
        message.slots = arena.messages(report.slots.map { SlotPositionWire.build($0) })
        message.metrics_address = arena.string(report.metricsAddress)
        message.n_notes = report.notes.count
        message.notes = arena.array(report.notes.map { Optional(arena.string($0)) })
        message.requests_served = report.requestsServed
        if let controlPlane = report.controlPlane {
            message.control_plane = arena.message(ControlPlaneStatusWire.build(controlPlane, in: arena))
        }
        return message
    }

    /// Reads a node status; `path` prefixes field names in errors ("nodes[2].address").
    static func read(_ message: Strata__V1__NodeStatus, at path: () -> String) throws -> NodeStatusReport {
        NodeStatusReport(
            nodeID: try WireReader.string(message.node_id, at: WireReader.join(path, "node_id")),
            role: NodeRole(wire: message.role),
            address: try WireReader.string(message.address, at: WireReader.join(path, "address")),
            zone: try WireReader.string(message.zone, at: WireReader.join(path, "zone")),
            state: NodeState(wire: message.state),
            version: try WireReader.string(message.version, at: WireReader.join(path, "version")),
            uptimeSeconds: message.uptime_seconds,
            startedAtUnix: message.started_at_unix,
            tiers: try WireReader.messages(message.tiers, message.n_tiers, at: path, "tiers", TierStatusWire.read),
            walBytes: message.wal_bytes,
            segmentBytes: message.segment_bytes,
            slots: WireReader.messages(message.slots, message.n_slots, SlotPositionWire.read),
            metricsAddress: try WireReader.string(message.metrics_address, at: WireReader.join(path, "metrics_address")),
            notes: try WireReader.strings(message.notes, message.n_notes, at: path, "notes"),
            requestsServed: message.requests_served,
            controlPlane: try message.control_plane.map { try ControlPlaneStatusWire.read($0.pointee, at: { WireReader.join(path, "control_plane") }) }
        )
    }
}

enum ControlPlaneStatusWire {
    static func build(_ status: ControlPlaneStatus, in arena: WireArena) -> Strata__V1__ControlPlaneStatus {
        var message = Strata__V1__ControlPlaneStatus()
        strata__v1__control_plane_status__init(&message)
        message.role = status.role.wire
        message.epoch = status.epoch
        message.leader_address = arena.string(status.leaderAddress)
        message.lease_safe_ms = status.leaseSafeMs
        message.n_etcd_endpoints = status.etcdEndpoints.count
        message.etcd_endpoints = arena.array(status.etcdEndpoints.map { Optional(arena.string($0)) })
        message.confirmed_ms_ago = status.confirmedMsAgo
        message.stale = arena.flag(status.stale)
        return message
    }

    static func read(_ message: Strata__V1__ControlPlaneStatus, at path: () -> String) throws -> ControlPlaneStatus {
        ControlPlaneStatus(
            role: ControlPlaneStatus.Role(wire: message.role),
            epoch: message.epoch,
            leaderAddress: try WireReader.string(message.leader_address, at: WireReader.join(path, "leader_address")),
            leaseSafeMs: message.lease_safe_ms,
            etcdEndpoints: try WireReader.strings(message.etcd_endpoints, message.n_etcd_endpoints, at: path, "etcd_endpoints"),
            confirmedMsAgo: message.confirmed_ms_ago,
            stale: WireReader.flag(message.stale))
    }
}

enum TierStatusWire {
    static func build(_ stats: TierStats, in arena: WireArena) -> Strata__V1__TierStatus {
        var message = Strata__V1__TierStatus()
        strata__v1__tier_status__init(&message)
        message.tier = stats.tier.wire
        message.backend = arena.string(stats.backend)
        message.precision = arena.string(stats.precision.rawValue)
        message.eviction = arena.string(stats.eviction.rawValue)
        message.entries = UInt64(stats.entries)
        message.tokens = UInt64(stats.tokens)
        message.bytes_used = UInt64(stats.bytesUsed)
        message.capacity_bytes = UInt64(stats.capacityBytes)
        message.capacity_tokens = UInt64(stats.capacityTokens)
        message.hits = stats.hits
        message.misses = stats.misses
        message.promotions = stats.promotions
        message.demotions = stats.demotions
        message.evictions = stats.evictions
        message.reservation_failures = stats.reservationFailures
        message.reserved_bytes = UInt64(stats.reservedBytes)
        return message
    }

    static func read(_ message: Strata__V1__TierStatus, at path: () -> String) throws -> TierStats {
        let precision = try WireReader.string(message.precision, at: WireReader.join(path, "precision"))
        let eviction = try WireReader.string(message.eviction, at: WireReader.join(path, "eviction"))
        var stats = TierStats(
            tier: TierName(wire: message.tier) ?? .persistent,
            backend: try WireReader.string(message.backend, at: WireReader.join(path, "backend")),
            precision: VectorPrecision(rawValue: precision) ?? .float32,
            eviction: EvictionPolicy(rawValue: eviction) ?? .none
        )
        stats.entries = Int(clamping: message.entries)
        stats.tokens = Int(clamping: message.tokens)
        stats.bytesUsed = Int(clamping: message.bytes_used)
        stats.capacityBytes = Int(clamping: message.capacity_bytes)
        stats.capacityTokens = Int(clamping: message.capacity_tokens)
        stats.hits = message.hits
        stats.misses = message.misses
        stats.promotions = message.promotions
        stats.demotions = message.demotions
        stats.evictions = message.evictions
        stats.reservationFailures = message.reservation_failures
        stats.reservedBytes = Int(clamping: message.reserved_bytes)
        return stats
    }
}

enum SlotPositionWire {
    static func build(_ position: SlotPosition) -> Strata__V1__SlotPosition {
        var message = Strata__V1__SlotPosition()
        strata__v1__slot_position__init(&message)
        message.slot = UInt32(clamping: position.slot)
        message.sequence = position.sequence
        message.chunks = UInt64(position.chunks)
        message.tokens = UInt64(position.tokens)
        message.digest = position.digest
        return message
    }

    static func read(_ message: Strata__V1__SlotPosition) -> SlotPosition {
        SlotPosition(slot: Int(message.slot), sequence: message.sequence,
                     chunks: Int(clamping: message.chunks), tokens: Int(clamping: message.tokens), digest: message.digest)
    }
}
