import CStrataProto
import StrataRPC
import StrataWire

/// `etcdserverpb.LeaseGrantRequest`.
public struct EtcdLeaseGrantRequest: Sendable, Equatable {
    /// Seconds the lease lives without a keep-alive.
    public var ttl: Int64
    /// The lease ID wanted (0: etcd picks one).
    public var id: Int64

    public init(ttl: Int64, id: Int64 = 0) {
        self.ttl = ttl
        self.id = id
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ _ in
            var message = Etcdserverpb__LeaseGrantRequest()
            etcdserverpb__lease_grant_request__init(&message)
            message.ttl = ttl
            message.id = id
            return message
        }, size: { etcdserverpb__lease_grant_request__get_packed_size($0) },
           pack: { etcdserverpb__lease_grant_request__pack($0, $1) })
    }
}

/// `etcdserverpb.LeaseGrantResponse`.
public struct EtcdLeaseGrantResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var id: Int64
    /// The TTL etcd granted (it may raise a small one to its minimum).
    public var ttl: Int64
    /// Non-empty when etcd refused the grant.
    public var error: String

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try WireReader.decode(
            bytes, "etcdserverpb.LeaseGrantResponse",
            unpack: { etcdserverpb__lease_grant_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__lease_grant_response__free_unpacked($0, nil) }
        ) { message in
            EtcdLeaseGrantResponse(header: try EtcdResponseHeader.read(message.header, at: { "" }), id: message.id, ttl: message.ttl,
                                   error: try WireReader.string(message.error, field: "error"))
        }
    }

    public init(header: EtcdResponseHeader, id: Int64, ttl: Int64, error: String = "") {
        self.header = header
        self.id = id
        self.ttl = ttl
        self.error = error
    }
}

/// `etcdserverpb.LeaseRevokeRequest`: ends a lease now; its keys are deleted.
public struct EtcdLeaseRevokeRequest: Sendable, Equatable {
    public var id: Int64

    public init(id: Int64) { self.id = id }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ _ in
            var message = Etcdserverpb__LeaseRevokeRequest()
            etcdserverpb__lease_revoke_request__init(&message)
            message.id = id
            return message
        }, size: { etcdserverpb__lease_revoke_request__get_packed_size($0) },
           pack: { etcdserverpb__lease_revoke_request__pack($0, $1) })
    }
}

/// `etcdserverpb.LeaseRevokeResponse`.
public struct EtcdLeaseRevokeResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader

    public init(serializedBytes bytes: [UInt8]) throws {
        header = try WireReader.decode(
            bytes, "etcdserverpb.LeaseRevokeResponse",
            unpack: { etcdserverpb__lease_revoke_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__lease_revoke_response__free_unpacked($0, nil) }
        ) { try EtcdResponseHeader.read($0.header, at: { "" }) }
    }
}

/// `etcdserverpb.LeaseKeepAliveRequest`: one renewal, sent on the LeaseKeepAlive stream.
public struct EtcdLeaseKeepAliveRequest: Sendable, Equatable {
    public var id: Int64

    public init(id: Int64) { self.id = id }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ _ in
            var message = Etcdserverpb__LeaseKeepAliveRequest()
            etcdserverpb__lease_keep_alive_request__init(&message)
            message.id = id
            return message
        }, size: { etcdserverpb__lease_keep_alive_request__get_packed_size($0) },
           pack: { etcdserverpb__lease_keep_alive_request__pack($0, $1) })
    }
}

/// `etcdserverpb.LeaseKeepAliveResponse`: the lease's new TTL; 0 or less when the lease is
/// gone (expired or revoked).
public struct EtcdLeaseKeepAliveResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var id: Int64
    public var ttl: Int64

    public init(header: EtcdResponseHeader, id: Int64, ttl: Int64) {
        self.header = header
        self.id = id
        self.ttl = ttl
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try WireReader.decode(
            bytes, "etcdserverpb.LeaseKeepAliveResponse",
            unpack: { etcdserverpb__lease_keep_alive_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__lease_keep_alive_response__free_unpacked($0, nil) }
        ) { EtcdLeaseKeepAliveResponse(header: try EtcdResponseHeader.read($0.header, at: { "" }), id: $0.id, ttl: $0.ttl) }
    }
}

/// `etcdserverpb.LeaseTimeToLiveRequest`.
public struct EtcdLeaseTimeToLiveRequest: Sendable, Equatable {
    public var id: Int64
    /// Also list the keys attached to the lease.
    public var keys: Bool

    public init(id: Int64, keys: Bool = false) {
        self.id = id
        self.keys = keys
    }

    public func serializedBytes() -> [UInt8] {
        WireArena.encode({ arena in
            var message = Etcdserverpb__LeaseTimeToLiveRequest()
            etcdserverpb__lease_time_to_live_request__init(&message)
            message.id = id
            message.keys = arena.flag(keys)
            return message
        }, size: { etcdserverpb__lease_time_to_live_request__get_packed_size($0) },
           pack: { etcdserverpb__lease_time_to_live_request__pack($0, $1) })
    }
}

/// `etcdserverpb.LeaseTimeToLiveResponse`: the seconds left (-1: the lease does not exist).
public struct EtcdLeaseTimeToLiveResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var id: Int64
    public var ttl: Int64
    public var grantedTTL: Int64
    public var keys: [[UInt8]]

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try WireReader.decode(
            bytes, "etcdserverpb.LeaseTimeToLiveResponse",
            unpack: { etcdserverpb__lease_time_to_live_response__unpack(nil, $0, $1) },
            free: { etcdserverpb__lease_time_to_live_response__free_unpacked($0, nil) }
        ) { message in
            EtcdLeaseTimeToLiveResponse(
                header: try EtcdResponseHeader.read(message.header, at: { "" }), id: message.id, ttl: message.ttl,
                grantedTTL: message.grantedttl, keys: WireReader.array(message.keys, message.n_keys).map(WireReader.bytes))
        }
    }

    public init(header: EtcdResponseHeader, id: Int64, ttl: Int64, grantedTTL: Int64, keys: [[UInt8]] = []) {
        self.header = header
        self.id = id
        self.ttl = ttl
        self.grantedTTL = grantedTTL
        self.keys = keys
    }
}
