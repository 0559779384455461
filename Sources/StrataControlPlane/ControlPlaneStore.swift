/// Where a coordinator keeps what must survive it: the cluster id, the cluster map, the
/// sequence ceilings, the restart reconciliation, the namespaces, and each slot's
/// acknowledged high-water mark.
///
/// Two implementations: `LocalFileControlPlaneStore` (the files of one coordinator's data
/// directory, the embedded default) and `EtcdControlPlaneStore` (etcd, for several
/// coordinators with one leader elected by `LeaderElection`).
///
/// | operation | guarantee |
/// |---|---|
/// | `load` | every record and mark at one revision |
/// | `commit` | all of the batch or nothing (etcd: up to its transaction size, see `EtcdControlPlaneStore`), durable before it returns, only if the guard holds: else `.notLeader` / `.conflict` and nothing written |
/// | `watch(after:)` | every later commit once, in revision order; ends by throwing when the store cannot continue (the watcher reloads) |
public protocol ControlPlaneStore: Sendable {
    /// Where the data lives, for logs and error messages.
    var location: String { get }

    /// Reads every record and high-water mark.
    func load() async throws(ControlPlaneError) -> ControlPlaneSnapshot

    /// Applies `batch` if its guard holds; returns the revision it was written at.
    func commit(_ batch: ControlPlaneBatch) async throws(ControlPlaneError) -> ControlPlaneRevision

    /// The commits after `revision`, in order. Followers apply them to the snapshot they
    /// loaded. The sequence ends only by throwing (or when the consumer stops).
    func watch(after revision: ControlPlaneRevision) -> AsyncThrowingStream<ControlPlaneUpdate, any Error>
}
