import StrataEtcd

/// The control plane in etcd (layout: `EtcdControlPlaneLayout`), shared by every coordinator
/// of a cluster; the leader writes, followers load and watch.
///
/// A commit is one etcd transaction: its compares are the guard (the leader's key still has
/// its create revision; each expected record still has its mod revision), its success
/// branch the writes, and its failure branch reads of what the compares looked at, so a
/// refused commit says whether leadership ended or a record moved. etcd fsyncs it on a
/// quorum before answering.
///
/// Size limits: etcd refuses a transaction with more than `--max-txn-ops` operations (128
/// by default) or more than `--max-request-bytes` (1.5 MiB). A batch whose high-water marks
/// do not fit in one transaction is split: the records and the first marks go together, the
/// other marks follow in further transactions under the same leader guard (each mark stands
/// alone, so only their joint atomicity is lost); a record too large is `.tooLarge`.
public final class EtcdControlPlaneStore: ControlPlaneStore {
    public let client: EtcdClient
    public let layout: EtcdControlPlaneLayout
    /// The most operations put in one transaction (etcd's `--max-txn-ops`).
    public let maxOperationsPerTransaction: Int
    /// The largest transaction sent, in bytes (below etcd's `--max-request-bytes`).
    public let maxRequestBytes: Int

    public init(client: EtcdClient, layout: EtcdControlPlaneLayout, maxOperationsPerTransaction: Int = 128,
                maxRequestBytes: Int = 1_572_864 - 4096) {
        self.client = client
        self.layout = layout
        self.maxOperationsPerTransaction = max(2, maxOperationsPerTransaction)
        self.maxRequestBytes = maxRequestBytes
    }

    public var location: String { "etcd at \(client.endpoints.joined(separator: ",")) under \(layout.prefix)" }

    // MARK: load

    public func load() async throws(ControlPlaneError) -> ControlPlaneSnapshot {
        let response: EtcdRangeResponse
        do {
            response = try await client.range(EtcdRangeRequest.prefix(layout.dataPrefix))
        } catch {
            throw Self.failure(error, doing: "read the control plane")
        }
        var snapshot = ControlPlaneSnapshot(revision: ControlPlaneRevision(response.header.revision))
        for kv in response.kvs {
            switch layout.entry(kv.key) {
            case .record(let record):
                snapshot.records[record] = StoredRecord(bytes: kv.value, revision: ControlPlaneRevision(kv.modRevision))
            case .highWaterMark(let slot):
                snapshot.highWaterMarks[slot] = try EtcdControlPlaneLayout.decodeMark(kv.value, key: kv.key)
            case .candidate, nil:
                continue
            }
        }
        return snapshot
    }

    // MARK: commit

    public func commit(_ batch: ControlPlaneBatch) async throws(ControlPlaneError) -> ControlPlaneRevision {
        try batch.validate()
        let compares = guardCompares(batch)
        let recordOps: [EtcdRequestOp] = batch.records.sorted { $0.key < $1.key }.map { record, bytes in
            if let bytes { .put(EtcdPutRequest(key: layout.key(record), value: bytes)) } else { .deleteRange(EtcdDeleteRangeRequest(key: layout.key(record))) }
        }
        let markOps: [EtcdRequestOp] = batch.highWaterMarks.sorted { $0.key < $1.key }.map { slot, sequence in
            .put(EtcdPutRequest(key: layout.highWaterMarkKey(slot: slot), value: EtcdControlPlaneLayout.encodeMark(sequence)))
        }
        let room = maxOperationsPerTransaction - recordOps.count
        guard room >= 0 else {
            throw ControlPlaneError(.tooLarge, "a commit of \(recordOps.count) records exceeds etcd's \(maxOperationsPerTransaction) operations per transaction")
        }
        var revision = try await transact(batch, compares: compares, success: recordOps + markOps.prefix(room))
        // Marks beyond one transaction: under the leader guard alone (the records' expected
        // revisions have moved with the first transaction).
        var rest = markOps.dropFirst(room)
        while !rest.isEmpty {
            let chunk = rest.prefix(maxOperationsPerTransaction)
            rest = rest.dropFirst(chunk.count)
            revision = try await transact(batch, compares: leaderCompares(batch.leader), success: Array(chunk))
        }
        return revision
    }

    private func leaderCompares(_ leader: LeaderToken?) -> [EtcdCompare] {
        leader.map { [EtcdCompare(key: $0.key, .equal, .createRevision($0.epoch))] } ?? []
    }

    private func guardCompares(_ batch: ControlPlaneBatch) -> [EtcdCompare] {
        leaderCompares(batch.leader) + batch.expectedRevisions.sorted { $0.key < $1.key }.map { record, revision in
            EtcdCompare(key: layout.key(record), .equal, .modRevision(revision.value))
        }
    }

    /// Runs one guarded transaction; on a refused guard, reads back what the compares
    /// looked at (the failure branch) to name the cause.
    private func transact(_ batch: ControlPlaneBatch, compares: [EtcdCompare], success: [EtcdRequestOp]) async throws(ControlPlaneError) -> ControlPlaneRevision {
        let failure: [EtcdRequestOp] = compares.map { .range(EtcdRangeRequest(key: $0.key, keysOnly: true)) }
        let request = EtcdTxnRequest(compare: compares, success: success, failure: failure)
        let size = request.serializedBytes().count
        guard size <= maxRequestBytes else {
            let biggest = batch.records.compactMap { record, bytes in bytes.map { (record, $0.count) } }.max { $0.1 < $1.1 }
            throw ControlPlaneError(.tooLarge, "a commit of \(size) bytes exceeds the \(maxRequestBytes) bytes etcd takes per request"
                + (biggest.map { " (the \($0.0.rawValue) record alone is \($0.1) bytes)" } ?? ""))
        }
        let response: EtcdTxnResponse
        do {
            response = try await client.txn(request)
        } catch {
            throw Self.failure(error, doing: "commit to the control plane")
        }
        guard response.succeeded else { throw refusal(batch, compares: compares, reads: response.responses) }
        return ControlPlaneRevision(response.header.revision)
    }

    /// Names the compare that failed from the failure branch's reads (in compare order).
    private func refusal(_ batch: ControlPlaneBatch, compares: [EtcdCompare], reads: [EtcdResponseOp]) -> ControlPlaneError {
        for (compare, read) in zip(compares, reads) {
            guard case .range(let range) = read else { continue }
            let found = range.kvs.first
            switch compare.target {
            case .createRevision(let epoch) where (found?.createRevision ?? 0) != epoch:
                let leader = batch.leader.map(\.description) ?? "leader"
                return ControlPlaneError(.notLeader, found == nil
                    ? "\(leader) has ended: its key is gone from etcd (lease expired or revoked); this coordinator is no longer the leader"
                    : "\(leader) has ended: its key now belongs to a later campaign (epoch \(found!.createRevision))")
            case .modRevision(let expected) where (found?.modRevision ?? 0) != expected:
                let name = layout.entry(compare.key).flatMap { entry -> String? in
                    if case .record(let record) = entry { return record.rawValue }
                    return nil
                } ?? String(decoding: compare.key, as: UTF8.self)
                return ControlPlaneError(.conflict, "the \(name) record changed: expected revision \(expected), found \(found?.modRevision ?? 0) (someone else wrote it; reread)")
            default:
                continue
            }
        }
        return ControlPlaneError(.conflict, "etcd refused the commit's guard, but rereading found nothing changed (a concurrent write came and went); retry")
    }

    static func failure(_ error: EtcdError, doing what: String) -> ControlPlaneError {
        switch error.kind {
        case .unavailable: ControlPlaneError(.unavailable, "cannot \(what): \(error.message)")
        case .outcomeUnknown: ControlPlaneError(.unavailable, "cannot \(what): \(error.message)", outcomeUnknown: true)
        case .refused where error.status?.code == .invalidArgument && error.message.contains("too many operations"):
            ControlPlaneError(.tooLarge, "cannot \(what): \(error.message) (etcd's --max-txn-ops is below this store's maxOperationsPerTransaction)")
        case .refused where error.status?.code == .invalidArgument && error.message.contains("too large"):
            ControlPlaneError(.tooLarge, "cannot \(what): \(error.message)")
        case .refused, .malformedResponse: ControlPlaneError(.unavailable, "cannot \(what): \(error.message)")
        }
    }
}
