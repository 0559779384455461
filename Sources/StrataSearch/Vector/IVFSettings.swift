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
    /// The fewest lists a query scans (all of them when the index has fewer).
    public var probes: Int
    /// Lists scanned per query grow with the square root of the list count: a query scans
    /// `max(probes, ceil(probeScale * sqrt(lists)))` lists (`probes(lists:)`). Measured on the
    /// bench's MiniLM vectors, a fixed count loses recall as an index has more lists (32
    /// probes: 0.992 at 49 lists and 0.976 at 98 for the same 50K vectors, 0.90 at 820 lists),
    /// while probes growing with the square root held it about constant from 98 to 820 lists
    /// (docs/benchmarks.md section 17). 0 turns the growth off (`probes` lists always).
    public var probeScale: Double
    /// Bytes of lists the memory tier holds.
    public var cacheBytes: Int

    public init(minimumVectors: Int = 20_000, listSize: Int = 512, probes: Int = 64, probeScale: Double = 3,
                cacheBytes: Int = 268_435_456) {
        self.minimumVectors = minimumVectors
        self.listSize = listSize
        self.probes = probes
        self.probeScale = probeScale
        self.cacheBytes = cacheBytes
    }

    public static let `default` = IVFSettings()

    /// The single switch point: IVF for `vectorCount` vectors or more, the exact scan below.
    public func usesIVF(vectorCount: Int) -> Bool { vectorCount >= minimumVectors }

    /// Lists a query scans in an index of `lists` lists: `max(probes, ceil(probeScale *
    /// sqrt(lists)))`, at most `lists`, at least 1.
    public func probes(lists: Int) -> Int {
        let scaled = (probeScale * Double(lists).squareRoot()).rounded(.up)
        let wanted = scaled < Double(Int.max) ? max(probes, Int(scaled)) : lists
        return max(1, min(lists, wanted))
    }

    /// Throws `invalidArgument` naming the setting when one is out of range.
    public func validate() throws(StrataError) {
        guard minimumVectors >= 0 else { throw .invalidArgument("ivf minimumVectors is \(minimumVectors); it must be >= 0") }
        guard listSize >= 1 else { throw .invalidArgument("ivf listSize is \(listSize); it must be >= 1") }
        guard probes >= 1 else { throw .invalidArgument("ivf probes is \(probes); it must be >= 1") }
        guard probeScale >= 0, probeScale.isFinite else { throw .invalidArgument("ivf probeScale is \(probeScale); it must be >= 0") }
        guard cacheBytes >= 0 else { throw .invalidArgument("ivf cacheBytes is \(cacheBytes); it must be >= 0") }
    }
}
