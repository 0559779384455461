import StrataCore

/// Builds a namespace's `IVFTieredIndex` from a snapshot of the worker's slot shards, reusing
/// what its directory already holds where it is still right:
///
/// | on disk                                      | action                                    |
/// |----------------------------------------------|-------------------------------------------|
/// | centroids intact, same dimension and metric, list count within 2× of what the data needs | used, no training |
/// | otherwise                                    | trained on a seeded sample (40 rows a list), written |
/// | a list file intact, of these centroids, holding exactly the rows the shards give that list | used as it is |
/// | otherwise (missing, torn, other centroids, stale rows) | written from the shards |
///
/// Lists hold copies of the shards' own INT8 and FP16 rows, so with every list probed the
/// index ranks and scores exactly as the exact scan does. Assignment reads each row once
/// (its FP16 copy against the centroids); one list at a time is held while it is compared
/// and written, not all of them.
enum IVFWorkerBuild {
    /// Sample rows per list for training (as `strata-bench ivf` measured recall with).
    static let sampleRowsPerList = 40
    /// Changed lists held before their files are rewritten: ~55 lists of 512 at 384
    /// dimensions, so a stream of small writes rewrites each list once per ~32 MiB of changes.
    static let writeBackBytes = 32 << 20

    static func run(_ shards: [(slot: UInt32, shard: SlotSearchShard)], dimension: Int, metric: VectorMetric,
                    settings: IVFSettings, directory: String, fs: any StoreFileSystem, cancelled: () -> Bool,
                    vectorSource: @escaping IVFTieredIndex.VectorSource) throws(StrataError)
        -> (IVFTieredIndex, NamespaceVectorIndex.Placement)
    {
        var placement = NamespaceVectorIndex.Placement()
        var entries: [(id: UInt64, shard: Int32, row: Int32)] = []
        let storages = shards.map { $0.shard.shard.vectors }
        for (i, (slot, slotShard)) in shards.enumerated() {
            guard let storage = storages[i] else { continue }
            let shard = slotShard.shard
            for row in 0..<shard.refs.count where shard.alive[row] && storage.present[row] {
                let ref = shard.refs[row]
                let id = NamespaceVectorIndex.id(slot: slot, documentID: ref.documentID, ordinal: ref.ordinal)
                guard placement.refs[id] == nil else {
                    throw .failedPrecondition("ivf ids collide in slot \(slot) (\(ref.documentID)); the exact scan serves")
                }
                placement.refs[id] = ref
                placement.documents[NamespaceVectorIndex.DocumentKey(slot: slot, documentID: ref.documentID), default: []].append(id)
                entries.append((id, Int32(i), Int32(row)))
            }
        }
        guard !entries.isEmpty else { throw .failedPrecondition("the namespace holds no vectors") }
        func vector(_ entry: (id: UInt64, shard: Int32, row: Int32)) -> [Float] {
            storages[Int(entry.shard)]!.decoded(row: Int(entry.row))
        }
        try fs.createDirectory(directory)
        let wanted = IVFCentroids.listCount(vectors: entries.count, targetListSize: settings.listSize)
        let centroids: IVFCentroids
        if let stored = IVFCentroids.read(dimension: dimension, metric: metric, in: directory, fs: fs),
           stored.count * 2 >= wanted, stored.count <= wanted * 2 {
            centroids = stored
        } else {
            var rng = SplitMix64(seed: 0x1F5)
            let sample = entries.indices.shuffled(using: &rng).prefix(wanted * sampleRowsPerList)
            centroids = try IVFCentroids.train(sample: sample.flatMap { vector(entries[$0]) }, dimension: dimension, lists: wanted)
            try centroids.write(metric: metric, in: directory, fs: fs)
        }
        var members = [[Int32]](repeating: [], count: centroids.count)
        var scratch = VectorSearchScratch()
        for (i, entry) in entries.enumerated() {
            members[centroids.assign(vector(entry), scratch: &scratch)].append(Int32(i))
        }
        let digest = centroids.digest
        var generations = [UInt64](repeating: 1, count: centroids.count)
        var locations: [UInt64: (list: Int32, row: Int32)] = [:]
        locations.reserveCapacity(entries.count)
        for n in 0..<centroids.count {
            guard !cancelled() else { throw StrataError(.unavailable, "ivf build stopped: the worker is shutting down, or the index was discarded") }
            var built = IVFList(dimension: dimension, metric: metric)
            for i in members[n] {
                let entry = entries[Int(i)]
                _ = built.append(id: entry.id, copying: storages[Int(entry.shard)]!, row: Int(entry.row))
            }
            let onDisk = IVFList.readAnyGeneration(list: n, centroidDigest: digest, dimension: dimension, metric: metric, in: directory, fs: fs)
            let used: IVFList
            if let onDisk, onDisk.list.hasSameLiveRows(as: built) {
                used = onDisk.list
                generations[n] = onDisk.generation
            } else {
                generations[n] = (onDisk?.generation ?? 0) + 1
                try built.write(list: n, generation: generations[n], centroidDigest: digest, in: directory, fs: fs)
                used = built
            }
            for (row, id) in used.ids.enumerated() where used.vectors.present[row] { locations[id] = (Int32(n), Int32(row)) }
        }
        removeListFiles(from: centroids.count, in: directory, fs: fs)
        let index = IVFTieredIndex(centroids: centroids, metric: metric, directory: directory, generations: generations,
                                   locations: locations, cacheBytes: settings.cacheBytes, writeBackBytes: writeBackBytes,
                                   fs: fs, vectorSource: vectorSource)
        return (index, placement)
    }

    /// Removes the files of lists numbered `count` and up (left by an earlier, larger index).
    static func removeListFiles(from count: Int, in directory: String, fs: any StoreFileSystem) {
        guard let names = try? fs.list(directory) else { return }
        for name in names where name.hasPrefix("ivf-list-") && name.hasSuffix(".part") {
            guard let number = Int(name.dropFirst("ivf-list-".count).dropLast(".part".count)), number >= count else { continue }
            try? fs.remove(StorePath.join(directory, name))
        }
    }
}
