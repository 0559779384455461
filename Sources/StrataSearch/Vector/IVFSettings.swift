import StrataCore

/// When a worker's vectors of one namespace are searched through an IVF index rather than the
/// exact scan, and how the index is cut and probed. The switch is by size: the exact scan
/// below `minimumVectors`, where it is as fast and exact; IVF from there on
/// (`strata-bench ivf` measures where the two cross; docs/benchmarks.md).
///
/// The index pays per worker and namespace, across the worker's slots: at 100M tokens a worker
/// holds ~500K vectors over ~256 slot shards, ~2K per shard, too few per shard for lists of
/// hundreds that a probe can skip.
public struct IVFSettings: Sendable, Equatable {
    /// Namespaces with fewer vectors on a worker use the exact scan.
    public var minimumVectors: Int
    /// Vectors per list (lists = vectors / this): the unit scanned, cached and loaded.
    public var listSize: Int
    /// Lists scanned per query.
    public var probes: Int
    /// Bytes of lists the memory tier holds.
    public var cacheBytes: Int

    public init(minimumVectors: Int = 20_000, listSize: Int = 512, probes: Int = 32, cacheBytes: Int = 268_435_456) {
        self.minimumVectors = minimumVectors
        self.listSize = listSize
        self.probes = probes
        self.cacheBytes = cacheBytes
    }

    public static let `default` = IVFSettings()

    /// The single switch point: IVF for `vectorCount` vectors or more, the exact scan below.
    public func usesIVF(vectorCount: Int) -> Bool { vectorCount >= minimumVectors }

    /// Throws `invalidArgument` naming the setting when one is out of range.
    public func validate() throws(StrataError) {
        guard minimumVectors >= 0 else { throw .invalidArgument("ivf minimumVectors is \(minimumVectors); it must be >= 0") }
        guard listSize >= 1 else { throw .invalidArgument("ivf listSize is \(listSize); it must be >= 1") }
        guard probes >= 1 else { throw .invalidArgument("ivf probes is \(probes); it must be >= 1") }
        guard cacheBytes >= 0 else { throw .invalidArgument("ivf cacheBytes is \(cacheBytes); it must be >= 0") }
    }
}
