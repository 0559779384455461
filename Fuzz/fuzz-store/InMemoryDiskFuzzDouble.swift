import Foundation
import StrataCore
import StrataStore

/// Fuzz double: a plain in-memory file system (no crash model: the inputs already are the
/// damaged files), so that recovery runs at memory speed on whatever bytes the fuzzer makes.
final class InMemoryDiskFuzzDouble: StoreFileSystem, @unchecked Sendable {
    final class Node: @unchecked Sendable {
        var data: [UInt8]
        init(_ data: [UInt8] = []) { self.data = data }
    }

    private let lock = NSLock()
    private var files: [String: Node] = [:]
    private var directories: Set<String> = ["/"]

    init(directory: String, files contents: [String: [UInt8]]) {
        directories.insert(directory)
        for (name, bytes) in contents { files[directory + "/" + name] = Node(bytes) }
    }

    func contents(of directory: String) -> [String: [UInt8]] {
        lock.withLock {
            var result: [String: [UInt8]] = [:]
            for (path, node) in files where parent(path) == directory { result[String(path.dropFirst(directory.count + 1))] = node.data }
            return result
        }
    }

    func open(_ path: String, create: Bool) throws(StrataError) -> any StoreFile {
        lock.lock()
        defer { lock.unlock() }
        do {
            if let node = files[path] { return InMemoryFileFuzzDouble(node: node, lock: lock) }
            guard create else { throw .notFound("open \(path): no such file") }
            guard directories.contains(parent(path)) else { throw .notFound("open \(path): no such directory") }
            let node = Node()
            files[path] = node
            return InMemoryFileFuzzDouble(node: node, lock: lock)
        }
    }

    func rename(_ from: String, to: String) throws(StrataError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            guard let node = files.removeValue(forKey: from) else { throw .notFound("rename \(from): no such file") }
            files[to] = node
        }
    }

    func syncDirectory(_ path: String) throws(StrataError) {}

    func list(_ directory: String) throws(StrataError) -> [String] {
        lock.withLock {
            let names = files.keys.filter { parent($0) == directory } + directories.filter { $0 != directory && parent($0) == directory }
            return names.map { String($0.dropFirst(directory.count + 1)) }.sorted()
        }
    }

    func remove(_ path: String) throws(StrataError) { _ = lock.withLock { files.removeValue(forKey: path) } }

    func createDirectory(_ path: String) throws(StrataError) { _ = lock.withLock { directories.insert(path) } }

    func exists(_ path: String) -> Bool { lock.withLock { files[path] != nil || directories.contains(path) } }

    private func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

final class InMemoryFileFuzzDouble: StoreFile, @unchecked Sendable {
    private let node: InMemoryDiskFuzzDouble.Node
    private let lock: NSLock

    init(node: InMemoryDiskFuzzDouble.Node, lock: NSLock) {
        self.node = node
        self.lock = lock
    }

    func size() throws(StrataError) -> Int { lock.withLock { node.data.count } }

    func read(at offset: Int, count: Int) throws(StrataError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        do {
            guard offset >= 0, count >= 0 else { throw .invalidArgument("read at \(offset) of \(count) bytes") }
            guard offset < node.data.count else { return [] }
            return Array(node.data[offset..<min(node.data.count, offset + count)])
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(StrataError) {
        lock.withLock {
            if node.data.count < offset + bytes.count { node.data += [UInt8](repeating: 0, count: offset + bytes.count - node.data.count) }
            node.data.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        }
    }

    func sync() throws(StrataError) {}

    func truncate(to size: Int) throws(StrataError) {
        lock.withLock {
            if size < node.data.count { node.data.removeSubrange(size...) } else { node.data += [UInt8](repeating: 0, count: size - node.data.count) }
        }
    }

    func close() {}
}
