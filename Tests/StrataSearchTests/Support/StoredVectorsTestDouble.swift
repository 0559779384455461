import StrataCore
import Synchronization

@testable import StrataSearch

/// Stands in for the worker's store as the source of truth of vectors: what the index reads
/// back when its shards dropped their rows. Tests record every vector they upsert.
final class StoredVectorsTestDouble: Sendable {
    let vectors = Mutex<[String: [Float]]>([:])
    /// Look-ups served, to check when the index went to the store.
    let lookups = Atomic<Int>(0)

    static func key(_ namespace: String, _ hash: ContentHash) -> String { "\(namespace)/\(hash.high)/\(hash.low)" }

    func record(_ namespace: String, _ entries: [SlotSearchIndex.Entry]) {
        vectors.withLock { stored in
            for entry in entries { stored[Self.key(namespace, entry.chunk.ref.contentHash)] = entry.chunk.vector }
        }
    }

    var lookup: SlotSearchIndex.StoredVectorLookup {
        { [self] namespace, hash in
            lookups.add(1, ordering: .relaxed)
            return vectors.withLock { $0[Self.key(namespace, hash)] }
        }
    }
}
