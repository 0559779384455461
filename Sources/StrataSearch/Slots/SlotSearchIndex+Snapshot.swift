import StrataCore

/// Snapshots of one slot's share of the index (every namespace in it), so that a restarted
/// worker reads its index back instead of rebuilding it from the store's chunks. The frame
/// and the decision whether a snapshot may be used are `SearchIndexSnapshotFrame`'s; these
/// are the payloads.
extension SlotSearchIndex {
    /// The slot's shards as snapshot bytes. The shards are copied under the lock (copy-on-write
    /// references) and encoded outside it. The caller holds the slot's write lock, so what is
    /// encoded matches the store's position for the slot.
    public func snapshotPayload(slot: UInt32) -> [UInt8] {
        let shards = state.withLock { state in
            state.shards.filter { $0.key.slot == slot }.map { ($0.key.namespace, $0.value) }.sorted { $0.0 < $1.0 }
        }
        var writer = SnapshotWriter(capacity: 1 << 16)
        writer.u8(settings.metric == .cosine ? 0 : 1)
        writer.int(shards.count)
        for (namespace, shard) in shards {
            writer.string(namespace)
            writer.int(shard.shard.settings.vectorDimension ?? 0)
            shard.encode(into: &writer)
        }
        return writer.bytes
    }

    /// Replaces the slot's shards by those in `payload` (decoded outside the lock). Refused,
    /// changing nothing, when the payload does not parse, was taken with another metric, or
    /// gives a namespace another dimension than the one the index knows.
    public func install(slot: UInt32, payload: ArraySlice<UInt8>) throws(StrataError) {
        let context = "search index snapshot of slot \(slot)"
        let parsed = payload.withUnsafeBytes { raw -> Result<[(String, Int?, SlotSearchShard)], StrataError> in
            do throws(StrataError) {
                var reader = SnapshotReader(raw, context: context)
                try reader.require(try reader.u8() == (settings.metric == .cosine ? 0 : 1), "taken with another vector metric")
                let count = try reader.count(atMost: 1 << 20, "the namespace count")
                var decoded: [(String, Int?, SlotSearchShard)] = []
                for _ in 0..<count {
                    let namespace = try reader.string()
                    let dimension = try reader.count(atMost: 65_536, "the vector dimension")
                    let settings = shardSettings(dimension: dimension == 0 ? nil : dimension)
                    decoded.append((namespace, settings.vectorDimension, try SlotSearchShard(decoding: &reader, settings: settings)))
                }
                try reader.require(reader.isAtEnd, "bytes left over after the last namespace")
                return .success(decoded)
            } catch {
                return .failure(error)
            }
        }
        let decoded = try parsed.get()
        try state.withLock { (state) throws(StrataError) in
            for (namespace, dimension, _) in decoded {
                if let dimension, let known = state.dimensions[namespace], known != dimension {
                    throw StrataError(.dataLoss, "\(context): namespace \(namespace) has dimension \(dimension), not \(known)")
                }
            }
            for key in state.shards.keys where key.slot == slot { state.shards[key] = nil }
            for (namespace, dimension, shard) in decoded {
                if let dimension { state.dimensions[namespace] = dimension }
                if !shard.isEmpty { state.shards[Key(namespace: namespace, slot: slot)] = shard }
            }
        }
    }

    /// Shards indexed without vectors in a namespace that has a dimension now (a snapshot
    /// taken before the namespace's first vector): they must be rebuilt from the store.
    public func shardsMissingTheirDimension() -> [(slot: UInt32, namespace: String)] {
        state.withLock { state in
            state.shards.compactMap { key, shard in
                shard.shard.settings.vectorDimension == nil && state.dimensions[key.namespace] != nil
                    ? (key.slot, key.namespace) : nil
            }.sorted { ($0.slot, $0.namespace) < ($1.slot, $1.namespace) }
        }
    }
}
