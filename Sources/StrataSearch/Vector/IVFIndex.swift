import StrataCore

/// An approximate vector index: the vectors split into lists by their nearest centroid
/// (`IVFCentroids`), a query scanning only the `probes` lists nearest to it, then rescoring
/// the best INT8 candidates at FP16 as the exact scan does.
///
/// Pure value, all lists in memory; `IVFTieredIndex` keeps the same lists on disk with only
/// the working set in memory. Ids are the caller's (a worker maps them to its chunks).
/// `upsert` replaces an id's vector (the old row becomes a tombstone, dropped when its list
/// compacts), `remove` tombstones it; searches never see either.
public struct IVFIndex: Sendable {
    public let centroids: IVFCentroids
    public let metric: VectorMetric
    public internal(set) var lists: [IVFList]
    /// Where each live id lies: list and row.
    var locations: [UInt64: (list: Int32, row: Int32)] = [:]

    public init(centroids: IVFCentroids, metric: VectorMetric) {
        self.centroids = centroids
        self.metric = metric
        lists = (0..<centroids.count).map { _ in IVFList(dimension: centroids.dimension, metric: metric) }
    }

    public var dimension: Int { centroids.dimension }
    /// Live vectors.
    public var count: Int { locations.count }

    /// Adds or replaces the vector of `id`. Throws `invalidArgument` naming `field` for a
    /// vector of the wrong dimension or with a non-finite component; nothing changes then.
    public mutating func upsert(id: UInt64, vector: [Float], field: String = "vector") throws(StrataError) {
        try VectorValidation.validate(vector, dimension: dimension, field: field)
        remove(id: id)
        var scratch = VectorSearchScratch()
        let list = centroids.assign(vector, scratch: &scratch)
        let row = lists[list].append(id: id, vector: vector)
        locations[id] = (Int32(list), Int32(row))
    }

    /// Removes `id`; false when the index does not hold it.
    @discardableResult
    public mutating func remove(id: UInt64) -> Bool {
        guard let (list, row) = locations.removeValue(forKey: id) else { return false }
        lists[Int(list)].remove(row: Int(row))
        if lists[Int(list)].needsCompaction { compact(list: Int(list)) }
        return true
    }

    private mutating func compact(list: Int) {
        lists[list] = lists[list].compacted()
        for (row, id) in lists[list].ids.enumerated() { locations[id] = (Int32(list), Int32(row)) }
    }

    /// The best `k` vectors admitted by `admits` among the `probes` lists nearest to `query`,
    /// rescored at FP16 (`rescoreCandidates` INT8 candidates at most), best first, ties by id.
    public func search(_ query: VectorQuery, k: Int, probes: Int, rescoreCandidates: Int = 400,
                       admits: (UInt64) -> Bool = { _ in true }) throws(StrataError) -> [IVFHit] {
        guard query.dimension == dimension, query.metric == metric else {
            throw .invalidArgument("query.vector has \(query.dimension) dimensions (\(query.metric)), expected \(dimension) (\(metric))")
        }
        var scratch = VectorSearchScratch()
        let probed = centroids.nearest(query.prepared.exact, probes: probes, scratch: &scratch)
        return try IVFList.search(query, k: k, probed: probed, rescoreCandidates: rescoreCandidates, admits: admits,
                                  scratch: &scratch) { (number: Int) throws(StrataError) -> IVFList in lists[number] }
    }
}
