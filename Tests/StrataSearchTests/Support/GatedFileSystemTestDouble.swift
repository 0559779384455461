import Foundation
import StrataCore

/// The real file system, except that syncing a directory (the last step of every atomic file
/// write) waits while the gate is closed: a disk whose fsync is stalled, to show who waits for
/// it. A closed gate opens by itself after `giveUpAfter`, so code that wrongly waits for it ends
/// (and is caught by `timedOut`) instead of hanging the test run.
final class GatedFileSystemTestDouble: StoreFileSystem, @unchecked Sendable {
    private let real = PosixFileSystem()
    private let condition = NSCondition()
    private var closed = false
    private var waiting = 0
    private var gaveUp = false
    let giveUpAfter: TimeInterval

    init(giveUpAfter: TimeInterval = 60) { self.giveUpAfter = giveUpAfter }

    func close() { condition.withLock { closed = true } }

    func open() {
        condition.withLock {
            closed = false
            condition.broadcast()
        }
    }

    /// Writers waiting at the gate now.
    var waitingWriters: Int { condition.withLock { waiting } }

    /// Whether a writer waited out `giveUpAfter`.
    var timedOut: Bool { condition.withLock { gaveUp } }

    /// Waits until `count` writers wait at the gate, or `giveUpAfter` passed.
    func awaitWaitingWriters(_ count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(giveUpAfter)
        return condition.withLock {
            while waiting < count { if !condition.wait(until: deadline) { return false } }
            return true
        }
    }

    func syncDirectory(_ path: String) throws(StrataError) {
        condition.withLock {
            let deadline = Date().addingTimeInterval(giveUpAfter)
            waiting += 1
            condition.broadcast()
            while closed {
                if !condition.wait(until: deadline) {
                    gaveUp = true
                    break
                }
            }
            waiting -= 1
        }
        try real.syncDirectory(path)
    }

    func open(_ path: String, create: Bool) throws(StrataError) -> any StoreFile { try real.open(path, create: create) }
    func rename(_ from: String, to: String) throws(StrataError) { try real.rename(from, to: to) }
    func list(_ directory: String) throws(StrataError) -> [String] { try real.list(directory) }
    func remove(_ path: String) throws(StrataError) { try real.remove(path) }
    func createDirectory(_ path: String) throws(StrataError) { try real.createDirectory(path) }
    func exists(_ path: String) -> Bool { real.exists(path) }
}
