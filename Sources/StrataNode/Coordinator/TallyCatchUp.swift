import StrataCluster
import StrataCore
import StrataRPC
import StrataText
import StrataWire

/// Brings a coordinator's document tally (`NamespaceRegistry`) up to what the slots'
/// replicas hold, when coordinators share etcd: the leader records the documents it
/// acknowledges, but a coordinator that takes the lead must also know those acknowledged
/// through the leaders before it, and a follower answers `ListDocuments` too.
///
/// The replicas are the record, not etcd: every acknowledged document is durable on W
/// replicas of its slot with its chunks, token counts and text, so one replica's
/// `StreamSlot` after the tally's position (`NamespaceRegistry.position(slot:)`) gives the
/// documents changed since (their latest state, and deletions). That costs etcd nothing per
/// document (its request limit is 1.5 MiB and its default quota 2 GiB; millions of
/// per-document keys would be bounded by both) and the catch-up reads only the changes.
///
/// | per slot | then |
/// |---|---|
/// | position ≥ the slot's high-water mark | nothing to read |
/// | a live replica | stream after the position; each put → chunks, tokens, content hash (XXH3-128 of the text rebuilt from the chunks, as `DocumentContentHash`), each delete → gone; the position becomes the stream's end |
/// | the replica's end is below the mark, or no replica answers | the slot stays behind; the next round tries again |
/// | the stream breaks off (a hung replica past `streamTimeout`) | what arrived is recorded up to its last sequence (records come in sequence order, each document at its latest write, so that is a true position); the next replica or round goes on from there |
///
/// Rounds run one at a time (a later round waits for the one before), so a slot's changes
/// are applied in stream order. A leader passes its slot locks: a slot's catch-up and its
/// writes then never interleave.
actor TallyCatchUp {
    private let namespaces: NamespaceRegistry
    private let membership: CoordinatorMembership
    private let channels: WorkerChannels
    private var last: Task<[Int], Never>?
    /// How long one slot's stream may take: a hung replica must not hold up the rounds (and
    /// with them a takeover's catch-up) for long; a slot whose changes take longer to stream
    /// is tried again from the next replica or round.
    static let streamTimeout = Duration.seconds(60)
    /// Records streamed between two records of the catch-up in the tally's journal.
    static let recordEvery = 2000

    init(namespaces: NamespaceRegistry, membership: CoordinatorMembership, channels: WorkerChannels) {
        self.namespaces = namespaces
        self.membership = membership
        self.channels = channels
    }

    /// Runs one round over every written slot; returns the slots still behind their marks.
    func round(locks: SlotLocks? = nil) async -> [Int] {
        let previous = last
        let task = Task { [namespaces, membership, channels] in
            _ = await previous?.value
            var behind: [Int] = []
            for (slot, mark) in membership.highWaterMarks().sorted(by: { $0.key < $1.key }) where namespaces.position(slot: slot) < mark {
                let caughtUp: Bool
                if let locks {
                    caughtUp = (try? await locks.withLock(slot) {
                        await Self.catchUp(slot: slot, mark: mark, namespaces, membership, channels)
                    }) ?? false
                } else {
                    caughtUp = await Self.catchUp(slot: slot, mark: mark, namespaces, membership, channels)
                }
                if !caughtUp { behind.append(slot) }
            }
            return behind
        }
        last = task
        return await task.value
    }

    /// Reads one slot's changes from a live replica; true when the tally reached `mark`.
    private static func catchUp(slot: Int, mark: UInt64, _ namespaces: NamespaceRegistry,
                                _ membership: CoordinatorMembership, _ channels: WorkerChannels) async -> Bool {
        var tried: Set<WorkerID> = []
        while let replica = membership.queryPlan(slots: [slot], excluding: tried).assignments.first(where: { $0.slots.contains(slot) }) {
            tried.insert(replica.worker)
            let after = namespaces.position(slot: slot)
            var changes: [String: [String: NamespaceRegistry.Tally?]] = [:]
            var noted = 0
            // Records come in sequence order, each document at its latest write: the changes
            // up to a record's sequence are a true position (a document changed again later
            // comes later), so they are recorded every so often and a stream cut off (hung
            // replica, timeout) still moves the position.
            var through = after
            func record(upTo sequence: UInt64) throws {
                guard sequence > after || !changes.isEmpty else { return }
                try namespaces.catchUp(slot: slot, changes, through: sequence)
                changes = [:]
                noted = 0
            }
            do {
                for try await bytes in channels.channel(replica.address).serverStreaming(
                    MethodPath.workerStreamSlot, StreamSlotRequest(slot: UInt32(slot), afterSequence: after).serializedBytes(),
                    options: CallOptions(timeout: Self.streamTimeout)) {
                    switch try SlotRecord(serializedBytes: bytes) {
                    case .write(let write):
                        note(write, in: &changes)
                        through = write.sequence
                        noted += 1
                    case .batch(let batch):
                        for write in batch.writes { note(write, in: &changes) }
                        through = batch.sequence
                        noted += 1
                    case .endSequence(let end):
                        try record(upTo: max(end, through))
                        if end >= mark { return true }
                    case .totalBytes:
                        break
                    }
                    if noted >= Self.recordEvery { try record(upTo: through) }
                }
            } catch {
                try? record(upTo: through)  // what arrived whole is true up to its last sequence
            }
        }
        return false
    }

    private static func note(_ write: StrataWire.SlotWrite, in changes: inout [String: [String: NamespaceRegistry.Tally?]]) {
        switch write.operation {
        case .put(let put):
            let pieces = put.chunks.sorted { $0.ordinal < $1.ordinal }.map {
                DocumentText.Piece(text: $0.text, byteStart: Int($0.provenance.byteStart), byteEnd: Int($0.provenance.byteEnd))
            }
            changes[write.namespace, default: [:]][put.documentID] = NamespaceRegistry.Tally(
                chunks: UInt64(put.chunks.count), tokens: put.chunks.reduce(0) { $0 + UInt64($1.tokenCount) },
                contentHash: ContentHash.of(DocumentText.reassemble(pieces)).description)
        case .deleteDocument(let id):
            changes[write.namespace, default: [:]][id] = .some(nil)
        case .dropNamespace, .attachVectors:
            break  // a drop streams as the deletes it made; vectors change no tally
        }
    }
}
