/// Proof of leadership that guarded writes carry: the leader's candidate key in the control
/// plane and the revision that created it (its epoch). A write guarded by a token commits
/// only while that exact key still exists -- a new key with the same name (a later
/// campaign) has another create revision -- so a deposed leader's writes fail.
///
/// Epochs only grow from one leader to the next: a leader's key is the oldest candidate key
/// alive, and every key created later has a higher create revision.
public struct LeaderToken: Sendable, Hashable, CustomStringConvertible {
    public var key: [UInt8]
    /// The create revision of `key`: the leader's epoch, which workers use to refuse the
    /// commands of an older leader.
    public var epoch: Int64
    /// The lease the key is attached to (0 for the local store, which has no lease).
    public var lease: Int64

    public init(key: [UInt8], epoch: Int64, lease: Int64) {
        self.key = key
        self.epoch = epoch
        self.lease = lease
    }

    public var description: String { "leader \(String(decoding: key, as: UTF8.self)) epoch \(epoch)" }
}
