import Foundation
import StrataCore
@testable import StrataStore

/// Test double: an in-memory disk that models what survives a crash.
///
/// Each file keeps its current bytes and the bytes as of its last fsync; directory entries
/// (creates, renames, removes) become durable only when their directory is synced. `crash`
/// throws away everything not durable: data written since the last fsync is lost, except
/// that with `tornWrites` a random prefix of an unsynced append survives (a torn write).
/// `flipBit` corrupts stored bytes at rest; `capacityBytes` makes writes fail like a full disk.
final class SimulatedDiskTestDouble: StoreFileSystem, @unchecked Sendable {
    final class Node {
        var data: [UInt8] = []
        var durable: [UInt8] = []
    }

    private let lock = NSLock()
    private var files: [String: Node] = [:]
    private var durableFiles: [String: Node] = [:]
    private var directories: Set<String> = ["/"]
    private var rng: SeededGenerator
    /// When set, a write that would take the disk past this many bytes fails (after writing what fits).
    var capacityBytes: Int? {
        get { lock.withLock { _capacity } }
        set { lock.withLock { _capacity = newValue } }
    }
    private var _capacity: Int?
    private(set) var fsyncCount = 0
    /// How long each file fsync takes (none when nil): widens the windows between a
    /// group commit's write and its fsync that concurrency tests need to hit.
    var syncDelay: Duration? {
        get { lock.withLock { _syncDelay } }
        set { lock.withLock { _syncDelay = newValue } }
    }
    private var _syncDelay: Duration?
    /// When set, the disk loses power at that many more fsyncs: the fsync does not happen and
    /// every later operation fails until `crash` (which then tears the unsynced writes).
    var powerOffAfterSyncs: Int? {
        get { lock.withLock { _powerOff } }
        set { lock.withLock { _powerOff = newValue } }
    }
    private var _powerOff: Int?
    private var poweredOff = false
    var isPoweredOff: Bool { lock.withLock { poweredOff } }

    /// Counts an fsync against the power-off countdown; true when the power just went out.
    private func consumeSyncLocked() -> Bool {
        if poweredOff { return true }
        guard let n = _powerOff else { return false }
        if n <= 0 {
            poweredOff = true
            _powerOff = nil
            return true
        }
        _powerOff = n - 1
        return false
    }

    private func checkPowerLocked(_ path: String) throws(StrataError) {
        if poweredOff { throw StrataError(.internal, "\(path): simulated power loss") }
    }

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    private var usedBytes: Int { files.values.reduce(0) { $0 + $1.data.count } }

    // MARK: faults

    /// Simulates power loss: only durable state survives (plus torn prefixes of unsynced appends).
    func crash(tornWrites: Bool) {
        lock.withLock {
            poweredOff = false
            files = durableFiles
            for node in files.values {
                var survivor = node.durable
                if tornWrites, node.data.count > node.durable.count, Array(node.data[0..<node.durable.count]) == node.durable {
                    let extra = node.data.count - node.durable.count
                    let keep = Int.random(in: 0...extra, using: &rng)
                    survivor += node.data[node.durable.count..<(node.durable.count + keep)]
                    // A torn sector may also hold garbage where the write stopped.
                    if keep > 0, Bool.random(using: &rng) { survivor[survivor.count - 1] ^= 0xA5 }
                }
                node.data = survivor
                node.durable = survivor
            }
        }
    }

    /// Flips one random bit of a file, in its current and durable bytes (corruption at rest).
    @discardableResult
    func flipBit(_ path: String, in range: Range<Int>? = nil) -> Int? {
        lock.withLock {
            guard let node = files[path], !node.data.isEmpty else { return nil }
            let r = range ?? 0..<node.data.count
            guard !r.isEmpty, r.upperBound <= node.data.count else { return nil }
            let offset = Int.random(in: r, using: &rng)
            let bit = UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            node.data[offset] ^= bit
            if offset < node.durable.count { node.durable[offset] ^= bit }
            return offset
        }
    }

    func fileSize(_ path: String) -> Int? { lock.withLock { files[path]?.data.count } }

    func contents(_ path: String) -> [UInt8]? { lock.withLock { files[path]?.data } }

    func allPaths() -> [String] { lock.withLock { files.keys.sorted() } }

    // MARK: StoreFileSystem

    func open(_ path: String, create: Bool) throws(StrataError) -> any StoreFile {
        lock.lock()
        defer { lock.unlock() }
        do {
            if let node = files[path] { return SimulatedFileTestDouble(disk: self, node: node, path: path) }
            guard create else { throw .notFound("open \(path): no such file") }
            guard directories.contains(parent(path)) else { throw .notFound("open \(path): no such directory") }
            let node = Node()
            files[path] = node
            return SimulatedFileTestDouble(disk: self, node: node, path: path)
        }
    }

    func rename(_ from: String, to: String) throws(StrataError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            try checkPowerLocked(from)
            guard let node = files.removeValue(forKey: from) else { throw .notFound("rename \(from): no such file") }
            files[to] = node
        }
    }

    func syncDirectory(_ path: String) throws(StrataError) {
        lock.lock()
        defer { lock.unlock() }
        if consumeSyncLocked() { throw StrataError(.internal, "\(path): simulated power loss during fsync") }
        do {
            fsyncCount += 1
            for key in durableFiles.keys where parent(key) == path && files[key] == nil { durableFiles[key] = nil }
            for (key, node) in files where parent(key) == path { durableFiles[key] = node }
        }
    }

    func list(_ directory: String) throws(StrataError) -> [String] {
        lock.withLock {
            let files = files.keys.filter { parent($0) == directory }.map { String($0.dropFirst(directory.count + 1)) }
            let dirs = directories.filter { $0 != directory && parent($0) == directory }.map { String($0.dropFirst(directory.count + 1)) }
            return (files + dirs).sorted()
        }
    }

    func remove(_ path: String) throws(StrataError) { _ = lock.withLock { files.removeValue(forKey: path) } }

    func createDirectory(_ path: String) throws(StrataError) {
        lock.withLock {
            var p = path
            while p != "/" && !p.isEmpty {
                directories.insert(p)
                p = parent(p)
            }
        }
    }

    func exists(_ path: String) -> Bool { lock.withLock { files[path] != nil || directories.contains(path) } }

    private func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    // MARK: file operations (called by SimulatedFile)

    func write(_ node: Node, _ bytes: [UInt8], at offset: Int, path: String) throws(StrataError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            try checkPowerLocked(path)
            let growth = max(0, offset + bytes.count - node.data.count)
            var toWrite = bytes
            var full = false
            if let cap = _capacity, usedBytes + growth > cap {
                let room = max(0, cap - usedBytes)
                let fits = max(0, min(bytes.count, node.data.count + room - offset))
                toWrite = Array(bytes[0..<fits])
                full = true
            }
            if offset + toWrite.count > node.data.count {
                node.data += [UInt8](repeating: 0, count: offset + toWrite.count - node.data.count)
            }
            node.data.replaceSubrange(offset..<(offset + toWrite.count), with: toWrite)
            if full { throw .resourceExhausted("disk full: write \(path): No space left on device (simulated)") }
        }
    }

    func size(_ node: Node) -> Int { lock.withLock { node.data.count } }

    func sync(_ node: Node, path: String) throws(StrataError) {
        // Like a real fsync, it takes a while, and other threads go on meanwhile.
        if let delay = syncDelay { Thread.sleep(forTimeInterval: delay.seconds) }
        lock.lock()
        defer { lock.unlock() }
        if consumeSyncLocked() { throw StrataError(.internal, "\(path): simulated power loss during fsync") }
        fsyncCount += 1
        node.durable = node.data
    }

    func truncate(_ node: Node, to size: Int) {
        lock.withLock {
            if size < node.data.count { node.data.removeLast(node.data.count - size) } else {
                node.data += [UInt8](repeating: 0, count: size - node.data.count)
            }
        }
    }

    func read(_ node: Node, at offset: Int, count: Int) -> [UInt8] {
        lock.withLock {
            guard offset < node.data.count else { return [] }
            return Array(node.data[offset..<min(node.data.count, offset + count)])
        }
    }
}
