import StrataCore
import Synchronization

/// The worker's three memory tiers (hot, warm, cold) as one thread-safe cache over the
/// persistent tier.
///
/// A lookup goes hot → warm → cold; a hit below hot promotes the chunk to hot, re-encoded at
/// hot's precision. `admit` inserts at hot; a full tier evicts by its policy and demotes the
/// victim one tier down; the cold tier's victims leave memory. Every call takes one lock, so
/// the tiers are always consistent with each other. The warm tier lives in POSIX shared memory
/// named `warmSegmentName` and survives a restart; see `WarmRecovery` for what is reused.
public final class TierHierarchy: @unchecked Sendable {
    private let cascade: Mutex<TierCascade>
    /// What the warm tier found in shared memory at start.
    public let warmRecovery: WarmRecoveryReport

    /// Opens the tiers with the host-memory hot backend ("host").
    ///
    /// - Parameters:
    ///   - warmSegmentName: the shared-memory object of the warm tier ("strata-warm-0" or
    ///     "/strata-warm-0"); one per worker.
    ///   - epoch: identifies the persistent tier's current state; a warm tier written under
    ///     another epoch is discarded whole.
    ///   - warmOwner: the store directory and node recorded in the warm tier's header.
    ///   - warmReservationFailed: told when the warm tier could not reserve shared memory (the
    ///     1st, 2nd, 4th, 8th ... time), for a log line; called under the hierarchy's lock.
    ///   - isValidKey: whether the persistent tier holds a key; warm entries whose key it does
    ///     not hold are discarded at start.
    public convenience init(
        hot: TierSettings, warm: TierSettings, cold: TierSettings, warmSegmentName: String, epoch: UInt64,
        warmOwner: WarmTierOwner = .unknown,
        warmReservationFailed: (@Sendable (_ failures: UInt64, _ error: StrataError) -> Void)? = nil,
        isValidKey: (ContentHash) -> Bool
    ) throws(StrataError) {
        try self.init(
            hot: hot, warm: warm, cold: cold, hotBackend: HostMemoryBackend(), warmSegmentName: warmSegmentName,
            epoch: epoch, warmOwner: warmOwner, warmReservationFailed: warmReservationFailed, isValidKey: isValidKey)
    }

    /// Opens the tiers with the given hot-tier backend (host memory, or a device backend).
    public convenience init(
        hot: TierSettings, warm: TierSettings, cold: TierSettings, hotBackend: sending any HotTierBackend,
        warmSegmentName: String, epoch: UInt64, warmOwner: WarmTierOwner = .unknown,
        warmReservationFailed: (@Sendable (_ failures: UInt64, _ error: StrataError) -> Void)? = nil,
        isValidKey: (ContentHash) -> Bool
    ) throws(StrataError) {
        try self.init(
            hot: hot, warm: warm, cold: cold, hotBackend: hotBackend, warmSegmentName: warmSegmentName, epoch: epoch,
            warmOwner: warmOwner, warmReserver: .system, warmReservationFailed: warmReservationFailed, isValidKey: isValidKey)
    }

    /// The designated initializer; `warmReserver` lets tests play a full tmpfs.
    init(
        hot: TierSettings, warm: TierSettings, cold: TierSettings, hotBackend: sending any HotTierBackend,
        warmSegmentName: String, epoch: UInt64, warmOwner: WarmTierOwner, warmReserver: SharedMemoryReserver,
        warmReservationFailed: (@Sendable (_ failures: UInt64, _ error: StrataError) -> Void)?,
        isValidKey: (ContentHash) -> Bool
    ) throws(StrataError) {
        try hot.validateForMemoryTier(field: "tiers.hot")
        try warm.validateForMemoryTier(field: "tiers.warm")
        try cold.validateForMemoryTier(field: "tiers.cold")
        let name = try Self.sharedMemoryName(warmSegmentName)
        let warmTier = try WarmTier(
            settings: warm, segmentName: name, epoch: epoch, owner: warmOwner, reserver: warmReserver,
            reservationFailed: warmReservationFailed, isValidKey: isValidKey)
        warmRecovery = warmTier.recovery
        // The tiers were just built here and nothing else refers to them; from now on they are
        // reached only through the mutex. (Region analysis cannot see that `isValidKey`, a
        // non-escaping closure used only during the warm tier's init, left nothing behind.)
        nonisolated(unsafe) let tiers = TierCascade(
            hot: HotTier(settings: hot, backend: hotBackend), warm: warmTier, cold: ColdTier(settings: cold))
        cascade = Mutex(tiers)
    }

    deinit {
        cascade.withLock { $0.close() }
    }

    /// The chunk and the tier it was found in, or nil when no memory tier holds it. The vector
    /// is that tier's reconstruction.
    public func lookup(_ key: ContentHash) -> (chunk: CachedChunk, tier: TierName)? {
        cascade.withLock { $0.lookup(key) }
    }

    /// Inserts (or replaces) the chunk at the hot tier. Chunks with a negative token count or a
    /// non-finite vector are not cached.
    public func admit(_ chunk: CachedChunk) {
        cascade.withLock { $0.admit(chunk) }
    }

    /// Removes the key from every memory tier.
    public func remove(_ key: ContentHash) {
        cascade.withLock { $0.remove(key) }
    }

    /// Empties every memory tier (the warm tier's shared memory included).
    public func removeAll() {
        cascade.withLock { $0.removeAll() }
    }

    /// Counters of hot, warm and cold, in that order. `hits`/`misses` count lookups that
    /// reached a tier; `promotions` and `demotions` count chunks a tier *received* from below
    /// (on a hit there) and from above (evicted there); `evictions` count chunks a tier gave up
    /// to make room (demoted one tier down, or dropped from memory by cold). Entry bytes follow
    /// `TierEntrySize`: text + vector at the tier's precision (+ 4 for the INT8 scale) + 64.
    public func stats() -> [TierStats] {
        cascade.withLock { $0.stats() }
    }

    /// Moves the hot tier's chunks into the warm tier and unmaps the shared memory, keeping it
    /// for the next start. Later calls find nothing and store nothing.
    public func close() {
        cascade.withLock { $0.close() }
    }

    /// Runs `body` on the tiers under the lock (tests look inside without promoting anything).
    func inspect<R: Sendable>(_ body: (TierCascade) -> R) -> R {
        cascade.withLock { body($0) }
    }

    /// Removes the warm tier's shared-memory object (tests, decommissioning a worker).
    public static func destroySharedMemory(name: String) throws(StrataError) {
        try SharedMemoryRegion.unlink(name: sharedMemoryName(name))
    }

    /// Removes the warm tier's shared-memory object unless a worker has it attached: true when
    /// removed, false when there was none.
    public static func destroyDetachedSharedMemory(name: String) throws(StrataError) -> Bool {
        try SharedMemoryRegion.unlinkIfDetached(name: sharedMemoryName(name))
    }

    /// "name" or "/name" → "/name"; one path component of portable characters.
    static func sharedMemoryName(_ name: String) throws(StrataError) -> String {
        let body = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard !body.isEmpty, body.utf8.count <= 200,
            body.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw .invalidArgument(
                "warmSegmentName \"\(name)\" must be 1-200 characters of letters, digits, '-', '_' or '.', optionally after one '/'")
        }
        return "/" + body
    }
}
