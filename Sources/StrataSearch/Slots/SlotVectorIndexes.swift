import CStrataSupport
import StrataCore
import Synchronization

/// The IVF indexes of a worker: one `NamespaceVectorIndex` per namespace whose vectors on the
/// worker reached `settings.minimumVectors` (the switch measured by `strata-bench ivf`), each
/// with its list files in its own directory under `directory` (`<data_dir>/ivf/<hash>`).
///
/// Below the switch nothing here exists and vector lists run the exact scan as before. Once a
/// namespace crosses it (on a write, or at start), its index is trained and written in the
/// background; the exact scan serves until it is ready, so no query waits on training. An
/// index stays once built, even if deletes take the namespace back under the switch.
public final class SlotVectorIndexes: Sendable {
    public let settings: IVFSettings
    /// Where the namespaces' list directories lie.
    public let directory: String
    let fs: any StoreFileSystem
    let indexes = Mutex<[String: NamespaceVectorIndex]>([:])
    let closed = Atomic<Bool>(false)
    /// Told when a build starts (phase "building") and ends (ready or failed, with how long
    /// it took): the worker logs both.
    let progress: @Sendable (VectorIndexReport, Duration) -> Void

    public init(settings: IVFSettings, directory: String, fs: any StoreFileSystem = PosixFileSystem(),
                progress: @escaping @Sendable (VectorIndexReport, Duration) -> Void = { _, _ in }) {
        self.settings = settings
        self.directory = directory
        self.fs = fs
        self.progress = progress
    }

    func index(of namespace: String) -> NamespaceVectorIndex? {
        indexes.withLock { $0[namespace] }
    }

    /// A new index for `namespace` in its building phase, or nil when it has one (or closed).
    func claim(_ namespace: String) -> NamespaceVectorIndex? {
        guard !closed.load(ordering: .acquiring) else { return nil }
        return indexes.withLock { indexes in
            guard indexes[namespace] == nil else { return nil }
            let index = NamespaceVectorIndex(namespace: namespace, settings: settings, directory: directory(of: namespace), fs: fs)
            indexes[namespace] = index
            return index
        }
    }

    /// Forgets a namespace's index (its shards were replaced wholesale); a new one is built
    /// when the namespace is considered next.
    func discard(_ namespace: String) {
        _ = indexes.withLock { $0.removeValue(forKey: namespace) }?.fail("discarded")
    }

    /// Forgets the namespace's index if it is still `index`; false when another replaced it.
    func discard(_ namespace: String, ifStill index: NamespaceVectorIndex) -> Bool {
        let removed = indexes.withLock { indexes -> Bool in
            guard indexes[namespace] === index else { return false }
            indexes[namespace] = nil
            return true
        }
        if removed { index.fail("discarded") }
        return removed
    }

    /// The namespace's list directory: its name hashed, so any namespace name makes a path.
    func directory(of namespace: String) -> String {
        var high: UInt64 = 0
        var low: UInt64 = 0
        Array(namespace.utf8).withUnsafeBytes { strata_xxh3_128($0.baseAddress, $0.count, &high, &low) }
        let hex = String(low ^ high, radix: 16)
        return StorePath.join(directory, String(repeating: "0", count: 16 - hex.count) + hex)
    }

    /// Stops building (a build in flight gives up at its next list) and writes back the
    /// changed lists, so the next start keeps their files; indexes keep serving.
    public func close() {
        closed.store(true, ordering: .releasing)
        for index in indexes.withLock({ Array($0.values) }) { try? index.ready?.flush() }
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Per namespace: phase, vectors and tier counters, sorted by namespace.
    public func status() -> [VectorIndexReport] {
        let all = indexes.withLock { $0 }
        return all.keys.sorted().map { Self.report(all[$0]!) }
    }

    static func report(_ index: NamespaceVectorIndex) -> VectorIndexReport {
        let (phase, vectors, counters) = index.status
        return VectorIndexReport(namespace: index.namespace, phase: phase, vectors: vectors, counters: counters ?? IVFTierCounters())
    }
}
