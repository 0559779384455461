import StrataCore

/// Snapshots of one slot's share of the index (every namespace in it), so that a restarted
/// worker reads its index back instead of rebuilding it from the store's chunks. The frame
/// and the decision whether a snapshot may be used are `SearchIndexSnapshotFrame`'s; these
/// are the payloads.
extension SlotSearchIndex {
    /// A slot's shards as they are now (copy-on-write references: cheap), to be encoded later.
    public struct SlotShards: Sendable {
        let shards: [(namespace: String, shard: SlotSearchShard)]
    }

    /// The slot's shards now. The caller takes them under the slot's write lock, so they match
    /// the store's position for the slot, and encodes them after releasing it.
    public func shards(ofSlot slot: UInt32) -> SlotShards {
        state.withLock { state in
            SlotShards(shards: state.shards.filter { $0.key.slot == slot }.map { ($0.key.namespace, $0.value) }.sorted { $0.namespace < $1.namespace })
        }
    }

    /// The slot's shards as snapshot bytes.
    public func snapshotPayload(slot: UInt32) -> [UInt8] { snapshotPayload(shards(ofSlot: slot)) }

    /// Shards taken by `shards(ofSlot:)` as snapshot bytes.
    public func snapshotPayload(_ slotShards: SlotShards) -> [UInt8] {
        let shards = slotShards.shards
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

    /// One slot's shards decoded from a snapshot, not yet in the index (decoding is pure, so a
    /// worker decodes several slots at once and installs them one by one).
    public struct DecodedSlot: Sendable {
        let slot: UInt32
        let shards: [(namespace: String, dimension: Int?, shard: SlotSearchShard)]
    }

    /// Decodes a slot's payload with this index's settings. Refused when the payload does not
    /// parse or was taken with another vector metric.
    public func decode(slot: UInt32, payload: ArraySlice<UInt8>) throws(StrataError) -> DecodedSlot {
        try payload.withUnsafeBytes { raw in decode(slot: slot, bytes: raw) }.get()
    }

    /// `decode(slot:payload:)` of bytes in place (a mapped file or shared memory); the
    /// decoded shards own copies, so the bytes may go away afterwards.
    public func decode(slot: UInt32, bytes raw: UnsafeRawBufferPointer) -> Result<DecodedSlot, StrataError> {
        let context = "search index snapshot of slot \(slot)"
        do throws(StrataError) {
            var reader = SnapshotReader(raw, context: context)
            try reader.require(try reader.u8() == (settings.metric == .cosine ? 0 : 1), "taken with another vector metric")
            let count = try reader.count(atMost: 1 << 20, "the namespace count")
            var shards: [(namespace: String, dimension: Int?, shard: SlotSearchShard)] = []
            for _ in 0..<count {
                let namespace = try reader.string()
                let dimension = try reader.count(atMost: 65_536, "the vector dimension")
                let settings = shardSettings(dimension: dimension == 0 ? nil : dimension)
                shards.append((namespace, settings.vectorDimension, try SlotSearchShard(decoding: &reader, settings: settings)))
            }
            try reader.require(reader.isAtEnd, "bytes left over after the last namespace")
            return .success(DecodedSlot(slot: slot, shards: shards))
        } catch {
            return .failure(error)
        }
    }

    /// Replaces the slot's shards by decoded ones. Refused, changing nothing, when they give a
    /// namespace another dimension than the one the index knows.
    public func install(_ decoded: DecodedSlot) throws(StrataError) {
        let slot = decoded.slot
        try state.withLock { (state) throws(StrataError) in
            for (namespace, dimension, _) in decoded.shards {
                if let dimension, let known = state.dimensions[namespace], known != dimension {
                    throw StrataError(.dataLoss, "search index snapshot of slot \(slot): namespace \(namespace) has dimension \(dimension), not \(known)")
                }
            }
            for key in state.shards.keys where key.slot == slot { state.shards[key] = nil }
            for (namespace, dimension, shard) in decoded.shards {
                if let dimension { state.dimensions[namespace] = dimension }
                if !shard.isEmpty { state.shards[Key(namespace: namespace, slot: slot)] = shard }
                // Taken after its IVF index dropped the rows: read back before an exact scan or a build.
                if shard.shard.vectorsOffloaded { state.offloaded.insert(namespace) }
            }
        }
        resetVectorIndexes(namespace: nil)
    }

    /// `decode` then `install`.
    public func install(slot: UInt32, payload: ArraySlice<UInt8>) throws(StrataError) {
        try install(try decode(slot: slot, payload: payload))
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
