import StrataCore

/// Timeout-based failure detection: a value type fed heartbeats and clock readings, returning
/// the state transitions they cause. It never reads a clock itself: `now` is milliseconds from
/// any monotonic clock the shell chooses (a reading that goes backwards counts as no time passed).
///
/// | from    | event                                   | to      |
/// |---------|-----------------------------------------|---------|
/// | (none)  | heartbeat                               | live    |
/// | live    | silent >= suspectAfter (tick)            | suspect |
/// | live    | silent >= deadAfter (tick)               | dead    |
/// | suspect | heartbeat (same or newer incarnation)   | live    |
/// | suspect | silent >= deadAfter (tick)               | dead    |
/// | dead    | heartbeat (same or newer incarnation)   | live    |
/// | any     | heartbeat from an older incarnation     | ignored |
///
/// A dead worker that heartbeats again rejoins as live; whatever it still holds is usable for
/// delta catch-up. A newer incarnation while live (a quick restart) is reported as a
/// live -> live transition so that the map records the new incarnation.
///
/// Silence is measured on the detector's own clock, not the wall clock, when
/// `Settings.pauseAfterMs` is set: a gap between two ticks counts for at most `pauseAfterMs`.
/// A coordinator that was itself stopped (a GC-like stall, SIGSTOP, a VM pause, a starved
/// thread pool) heard nothing because it listened to nothing; without this its first tick
/// after the pause — which can run before the heartbeats queued during it — would declare
/// every worker dead at once and start re-replicating the whole cluster.
public struct FailureDetector: Sendable, Equatable {
    /// Timeouts, from `CoordinatorConfig.suspectAfterMs` / `deadAfterMs`.
    public struct Settings: Sendable, Equatable {
        public var suspectAfterMs: UInt64
        public var deadAfterMs: UInt64
        /// The most of one gap between ticks that counts as silence (nil: all of it). The
        /// coordinator ticks every heartbeat interval; a longer gap means it was not running.
        public var pauseAfterMs: UInt64?

        /// Refuses zero timeouts and `deadAfterMs < suspectAfterMs`, naming the field.
        public init(suspectAfterMs: UInt64, deadAfterMs: UInt64, pauseAfterMs: UInt64? = nil) throws {
            guard suspectAfterMs > 0 else {
                throw StrataError.invalidArgument("coordinator.suspectAfterMs: must be > 0")
            }
            guard deadAfterMs >= suspectAfterMs else {
                throw StrataError.invalidArgument(
                    "coordinator.deadAfterMs: \(deadAfterMs) must be >= suspectAfterMs (\(suspectAfterMs))")
            }
            guard pauseAfterMs != 0 else {
                throw StrataError.invalidArgument("failure detector pauseAfterMs: must be > 0")
            }
            self.suspectAfterMs = suspectAfterMs
            self.deadAfterMs = deadAfterMs
            self.pauseAfterMs = pauseAfterMs
        }

        /// The coordinator's settings: a tick gap beyond two heartbeat intervals is a pause of
        /// the coordinator's own (its timer fires every heartbeat interval).
        public init(_ config: CoordinatorConfig) throws {
            guard config.suspectAfterMs > 0, config.deadAfterMs > 0 else {
                throw StrataError.invalidArgument("coordinator.suspectAfterMs/deadAfterMs: must be > 0")
            }
            guard config.heartbeatIntervalMs > 0 else {
                throw StrataError.invalidArgument("coordinator.heartbeatIntervalMs: must be > 0")
            }
            try self.init(suspectAfterMs: UInt64(config.suspectAfterMs), deadAfterMs: UInt64(config.deadAfterMs),
                          pauseAfterMs: 2 * UInt64(config.heartbeatIntervalMs))
        }
    }

    /// One change of a worker's liveness (`from` is nil the first time a worker is seen).
    public struct Transition: Sendable, Equatable, Hashable {
        public var worker: WorkerID
        public var from: WorkerState?
        public var to: WorkerState
        public var incarnation: UInt64

        public init(worker: WorkerID, from: WorkerState?, to: WorkerState, incarnation: UInt64) {
            self.worker = worker
            self.from = from
            self.to = to
            self.incarnation = incarnation
        }
    }

    struct Entry: Sendable, Equatable {
        var lastHeard: UInt64
        /// `pausedMs` when `lastHeard` was recorded: the pause since then is `pausedMs` minus it.
        var pausedWhenHeard: UInt64
        var state: WorkerState
        var incarnation: UInt64
    }

    public let settings: Settings
    private var entries: [WorkerID: Entry] = [:]
    /// The previous tick's `now` (or the start's).
    private var lastTick: UInt64?
    /// Every gap between ticks beyond `pauseAfterMs`, summed: time the coordinator was not
    /// listening, which no worker's silence includes.
    private var pausedMs: UInt64 = 0

    public init(settings: Settings) {
        self.settings = settings
    }

    /// A detector that resumes a persisted map after a coordinator restart: every worker that
    /// was not dead starts with a full grace period from `now`, in the state the map has it
    /// (a suspect one stays suspect until it is heard from: its next heartbeat is then the
    /// suspect -> live transition that makes the map call it live again); dead ones stay dead.
    public init(settings: Settings, resuming map: ClusterMap, now: UInt64) {
        self.settings = settings
        lastTick = now
        for record in map.workers.values {
            entries[record.id] = Entry(lastHeard: now, pausedWhenHeard: 0, state: record.state, incarnation: record.incarnation)
        }
    }

    /// The current state of `worker`, or nil if never heard of.
    public func state(of worker: WorkerID) -> WorkerState? {
        entries[worker]?.state
    }

    /// Records a heartbeat (or registration) at `now`.
    public mutating func heartbeat(from worker: WorkerID, incarnation: UInt64, now: UInt64) -> [Transition] {
        guard var entry = entries[worker] else {
            entries[worker] = Entry(lastHeard: now, pausedWhenHeard: pausedMs, state: .live, incarnation: incarnation)
            return [Transition(worker: worker, from: nil, to: .live, incarnation: incarnation)]
        }
        // A late packet from a previous process of this worker says nothing about the current one.
        guard incarnation >= entry.incarnation else { return [] }
        let previous = entry.state
        let restarted = incarnation > entry.incarnation
        if now >= entry.lastHeard {
            entry.lastHeard = now
            entry.pausedWhenHeard = pausedMs
        }
        entry.incarnation = incarnation
        entry.state = .live
        entries[worker] = entry
        guard previous != .live || restarted else { return [] }
        return [Transition(worker: worker, from: previous, to: .live, incarnation: incarnation)]
    }

    /// Advances time to `now` and returns the workers that became suspect or dead, by id.
    public mutating func tick(now: UInt64) -> [Transition] {
        if let pauseAfter = settings.pauseAfterMs, let previous = lastTick, now > previous + pauseAfter {
            pausedMs += now - previous - pauseAfter
        }
        lastTick = max(lastTick ?? now, now)
        var transitions: [Transition] = []
        for id in entries.keys.sorted() {
            guard var entry = entries[id], entry.state != .dead else { continue }
            let elapsed = now >= entry.lastHeard ? now - entry.lastHeard : 0
            let paused = pausedMs - entry.pausedWhenHeard
            let silent = elapsed >= paused ? elapsed - paused : 0
            let next: WorkerState
            if silent >= settings.deadAfterMs {
                next = .dead
            } else if silent >= settings.suspectAfterMs {
                next = .suspect
            } else {
                continue
            }
            guard next != entry.state else { continue }
            transitions.append(Transition(worker: id, from: entry.state, to: next, incarnation: entry.incarnation))
            entry.state = next
            entries[id] = entry
        }
        return transitions
    }

    /// Stops tracking a worker (after `ClusterMap.removeWorker`).
    public mutating func forget(_ worker: WorkerID) {
        entries[worker] = nil
    }
}
