import Foundation
import StrataCore

/// A worker's chunk store: the persistent tier (the source of truth) with the memory tiers
/// (hot → warm → cold) as caches over it.
///
/// Writes go to the persistent tier and are acknowledged when durable; chunks they remove
/// or replace are then dropped from every memory tier. Reads go down the tiers and admit the
/// chunk at the top on a miss. The warm tier lives in shared memory named after the data
/// directory and is revalidated against the persistent tier (epoch and live keys) on open.
public final class ChunkStore: Sendable {
    /// The source of truth; callers reach it through the store's named operations.
    let persistent: PersistentTier
    /// The memory tiers, caches over `persistent`.
    let tiers: TierHierarchy
    public let directory: String
    public let warmSegmentName: String

    private init(persistent: PersistentTier, tiers: TierHierarchy, directory: String, warmSegmentName: String) {
        self.persistent = persistent
        self.tiers = tiers
        self.directory = directory
        self.warmSegmentName = warmSegmentName
    }

    /// Opens the store in `directory`, recovering the persistent tier (`RecoveryRules`) and
    /// reattaching the warm tier. The warm tier's header records `directory` and `node` as its
    /// owner, after the directory's marker file names it (`WarmSegments`), so a later worker
    /// can tell whether the segment still belongs to a data directory.
    ///
    /// - Parameter warmReservationFailed: told when the warm tier could not reserve shared
    ///   memory (the 1st, 2nd, 4th, 8th ... time), for a log line; runs under the tiers' lock.
    public static func open(directory: String, settings: StoreSettings = .default,
                            fileSystem: any StoreFileSystem = PosixFileSystem(), node: String = "",
                            warmReservationFailed: (@Sendable (_ failures: UInt64, _ error: StrataError) -> Void)? = nil)
        throws(StrataError) -> ChunkStore
    {
        let absolute = absolutePath(directory)
        let persistent = try PersistentTier.open(directory: absolute, settings: settings.persistent, fileSystem: fileSystem)
        let name = settings.warmSegmentName ?? defaultWarmSegmentName(directory: absolute)
        let tiers: TierHierarchy
        do throws(StrataError) {
            // Without its marker (a directory that is not on this machine's disk) the segment
            // records no directory: then it is never taken for an orphan.
            let marked = (try? WarmSegments.writeMarker(storeDirectory: absolute, segmentName: name)) != nil
            tiers = try TierHierarchy(hot: settings.tiers.hot, warm: settings.tiers.warm, cold: settings.tiers.cold,
                                      warmSegmentName: name, epoch: persistent.epoch,
                                      warmOwner: WarmTierOwner(directory: marked ? absolute : "", node: node),
                                      warmReservationFailed: warmReservationFailed,
                                      isValidKey: { persistent.containsLive(cacheKey: $0) })
        } catch {
            persistent.close()
            throw error
        }
        return ChunkStore(persistent: persistent, tiers: tiers, directory: absolute, warmSegmentName: name)
    }

    /// "strata-" + 16 hex digits of the XXH3 of the absolute data directory path.
    public static func defaultWarmSegmentName(directory: String) -> String {
        "strata-" + String(ContentHash.of(absolutePath(directory)).description.prefix(16))
    }

    /// Removes the warm tier's shared memory of a data directory (tests, decommissioning).
    public static func destroyWarmTier(directory: String, settings: StoreSettings = .default) {
        try? TierHierarchy.destroySharedMemory(name: settings.warmSegmentName ?? defaultWarmSegmentName(directory: directory))
    }

    /// Removes the warm tier a stopped worker left in shared memory (a graceful stop keeps it
    /// for a fast restart); refuses while a process has it attached. Returns the object's name
    /// and whether there was one.
    public static func removeDetachedWarmTier(directory: String, settings: StoreSettings = .default) throws(StrataError)
        -> (name: String, removed: Bool)
    {
        let name = settings.warmSegmentName ?? defaultWarmSegmentName(directory: directory)
        return (name, try TierHierarchy.destroyDetachedSharedMemory(name: name))
    }

    private static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Closes the memory tiers (the warm tier stays in shared memory for the next start) and
    /// the persistent tier.
    public func close() {
        tiers.close()
        persistent.close()
    }
}
