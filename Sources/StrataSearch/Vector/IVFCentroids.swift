import StrataCore

/// The coarse quantizer of an `IVFIndex`: `count` unit-length centroids, trained by spherical
/// k-means on a sample, kept as INT8 rows so that probing and assigning use the same AVX2
/// scan as the exact search.
///
/// Lists are formed by direction for both metrics: vectors and queries are normalized before
/// they meet a centroid. For cosine that is the metric itself; for dot products the partition
/// by direction still puts a vector where queries pointing its way look, and rescoring uses the
/// raw inner product.
public struct IVFCentroids: Sendable {
    public let dimension: Int
    /// The centroids, one INT8 row each (cosine storage: normalized on the way in).
    let rows: VectorStorage
    /// FP32 centroids, row-major: what training produced, persisted with the index.
    public let values: [Float]

    public var count: Int { rows.rowCount }

    /// Centroids from FP32 values (`count × dimension`, row-major); throws `invalidArgument`
    /// when the shape is wrong or a value is not finite.
    public init(values: [Float], dimension: Int) throws(StrataError) {
        guard dimension > 0, !values.isEmpty, values.count % dimension == 0 else {
            throw .invalidArgument("ivf centroids: \(values.count) values are not whole rows of \(dimension)")
        }
        var rows = VectorStorage(dimension: dimension, metric: .cosine)
        for start in stride(from: 0, to: values.count, by: dimension) {
            let row = Array(values[start..<start + dimension])
            try VectorValidation.validate(row, dimension: dimension, field: "ivf centroids[\(start / dimension)]")
            rows.append(row)
        }
        self.dimension = dimension
        self.values = values
        self.rows = rows
    }

    /// The `probes` lists whose centroids are closest in direction to `vector`, best first.
    func nearest(_ vector: [Float], probes: Int, scratch: inout VectorSearchScratch) -> [Int] {
        let query = PreparedVectorQuery(vector, dimension: dimension, metric: .cosine)
        return scratch.withScores(count: count) { scores in
            rows.scanInt8(query, into: scores)
            return TopKSelector.select(UnsafeBufferPointer(scores), k: min(max(probes, 1), count), precedes: { $0 < $1 }) { _ in true }
                .map(\.index)
        }
    }

    /// The list a vector belongs to: its nearest centroid.
    func assign(_ vector: [Float], scratch: inout VectorSearchScratch) -> Int {
        nearest(vector, probes: 1, scratch: &scratch)[0]
    }

    /// Spherical k-means on `sample` (row-major, `dimension` wide): `lists` centroids seeded
    /// from distinct sample rows chosen by `seed`, then `iterations` rounds of assign (INT8
    /// scan) and re-centre (normalized mean). A list left empty takes a random sample row, so
    /// every centroid stays in use. Deterministic for a given sample and seed.
    public static func train(sample: [Float], dimension: Int, lists: Int, iterations: Int = 8,
                             seed: UInt64 = 0x1F5) throws(StrataError) -> IVFCentroids {
        guard dimension > 0, sample.count % dimension == 0, sample.count >= dimension else {
            throw .invalidArgument("ivf training sample: \(sample.count) values are not whole rows of \(dimension)")
        }
        let rowCount = sample.count / dimension
        let k = min(max(lists, 1), rowCount)
        var rng = SplitMix64(seed: seed)
        let unit: [[Float]] = (0..<rowCount).map { VectorStorage.normalized(Array(sample[$0 * dimension..<($0 + 1) * dimension])) }
        var order = Array(0..<rowCount)
        order.shuffle(using: &rng)
        var centroids = try IVFCentroids(values: order.prefix(k).flatMap { unit[$0] }, dimension: dimension)
        var scratch = VectorSearchScratch()
        for _ in 0..<max(iterations, 0) {
            var sums = [Float](repeating: 0, count: k * dimension)
            var members = [Int](repeating: 0, count: k)
            for row in unit {
                let list = centroids.assign(row, scratch: &scratch)
                members[list] += 1
                for j in 0..<dimension { sums[list * dimension + j] += row[j] }
            }
            var next = [Float]()
            next.reserveCapacity(k * dimension)
            for list in 0..<k {
                if members[list] == 0 {
                    next.append(contentsOf: unit[Int.random(in: 0..<rowCount, using: &rng)])
                } else {
                    next.append(contentsOf: VectorStorage.normalized(Array(sums[list * dimension..<(list + 1) * dimension])))
                }
            }
            centroids = try IVFCentroids(values: next, dimension: dimension)
        }
        return centroids
    }

    /// The list count for `vectors` vectors: about `targetListSize` vectors per list (a list is
    /// the unit that is scanned, cached and loaded from disk), at least one.
    public static func listCount(vectors: Int, targetListSize: Int) -> Int {
        max(1, (vectors + max(targetListSize, 1) / 2) / max(targetListSize, 1))
    }
}
