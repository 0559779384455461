import StrataCore
@testable import StrataStore

/// An open file of the simulated disk (keeps its node alive after the name is removed, like POSIX).
final class SimulatedFileTestDouble: StoreFile, @unchecked Sendable {
    private let disk: SimulatedDiskTestDouble
    private let node: SimulatedDiskTestDouble.Node
    private let path: String
    private var closed = false

    init(disk: SimulatedDiskTestDouble, node: SimulatedDiskTestDouble.Node, path: String) {
        self.disk = disk
        self.node = node
        self.path = path
    }

    private func check() throws(StrataError) { if closed { throw StrataError(.internal, "\(path): file is closed") } }

    func size() throws(StrataError) -> Int { try check(); return disk.size(node) }
    func read(at offset: Int, count: Int) throws(StrataError) -> [UInt8] { try check(); return disk.read(node, at: offset, count: count) }
    func write(_ bytes: [UInt8], at offset: Int) throws(StrataError) { try check(); try disk.write(node, bytes, at: offset, path: path) }
    func sync() throws(StrataError) { try check(); try disk.sync(node, path: path) }
    func truncate(to size: Int) throws(StrataError) { try check(); disk.truncate(node, to: size) }
    func close() { closed = true }
}
