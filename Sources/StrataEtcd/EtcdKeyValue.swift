import CStrataProto
import StrataRPC
import StrataWire

/// `mvccpb.KeyValue`: one key as etcd stores it, with its revisions.
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    /// The store revision that created the key (0 for a key that does not exist).
    public var createRevision: Int64
    /// The store revision of its last change.
    public var modRevision: Int64
    /// How often it was written since its creation (1 after the creating put).
    public var version: Int64
    /// The lease it is attached to (0: none).
    public var lease: Int64

    public init(key: [UInt8], value: [UInt8] = [], createRevision: Int64 = 0, modRevision: Int64 = 0, version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    static func read(_ message: Mvccpb__KeyValue, at path: () -> String) -> EtcdKeyValue {
        EtcdKeyValue(key: WireReader.bytes(message.key), value: WireReader.bytes(message.value),
                     createRevision: message.create_revision, modRevision: message.mod_revision,
                     version: message.version, lease: message.lease)
    }
}

/// `etcdserverpb.ResponseHeader`: which member answered, at which store revision.
public struct EtcdResponseHeader: Sendable, Equatable {
    public var clusterID: UInt64
    public var memberID: UInt64
    /// The store revision when the request was applied (for a watch progress answer: every
    /// later event has a higher revision).
    public var revision: Int64
    public var raftTerm: UInt64

    public init(clusterID: UInt64 = 0, memberID: UInt64 = 0, revision: Int64 = 0, raftTerm: UInt64 = 0) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.revision = revision
        self.raftTerm = raftTerm
    }

    /// Reads the header of a response; an absent header reads as zeros, as proto3 defaults it.
    static func read(_ pointer: UnsafeMutablePointer<Etcdserverpb__ResponseHeader>?, at path: () -> String) throws -> EtcdResponseHeader {
        try WireReader.message(pointer, at: path, "header", absent: EtcdResponseHeader()) { header, _ in
            EtcdResponseHeader(clusterID: header.cluster_id, memberID: header.member_id, revision: header.revision, raftTerm: header.raft_term)
        }
    }
}
