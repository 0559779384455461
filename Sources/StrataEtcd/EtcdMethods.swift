/// The method paths of etcd's v3 gRPC API that Strata calls.
enum EtcdMethod {
    static let range = "/etcdserverpb.KV/Range"
    static let put = "/etcdserverpb.KV/Put"
    static let deleteRange = "/etcdserverpb.KV/DeleteRange"
    static let txn = "/etcdserverpb.KV/Txn"
    static let leaseGrant = "/etcdserverpb.Lease/LeaseGrant"
    static let leaseRevoke = "/etcdserverpb.Lease/LeaseRevoke"
    static let leaseKeepAlive = "/etcdserverpb.Lease/LeaseKeepAlive"
    static let leaseTimeToLive = "/etcdserverpb.Lease/LeaseTimeToLive"
    static let watch = "/etcdserverpb.Watch/Watch"
}
