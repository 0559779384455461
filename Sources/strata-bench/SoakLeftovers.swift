import Foundation
import StrataStore
#if canImport(Glibc)
import Glibc
#endif

/// After the soak stopped its nodes: nothing of it may be left -- no process, no data
/// directory, no warm tier in /dev/shm.
enum SoakLeftovers {
    static func check(_ children: ClusterBench.ChildNodes) -> [String] {
        var left: [String] = []
        for node in [children.coordinator].compactMap({ $0 }) + children.workers where node.process.isRunning {
            left.append("\(node.name) (pid \(node.process.processIdentifier)) is still running")
        }
        // Any process started from the soak's folder (a restarted worker the soak lost track of).
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in pids where Int32(pid) != nil && Int32(pid) != getpid() {
            guard let command = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8), command.contains(children.root) else { continue }
            left.append("process \(pid) still runs: \(command.replacingOccurrences(of: "\0", with: " "))")
        }
        for worker in children.workers {
            let segment = ChunkStore.defaultWarmSegmentName(directory: worker.dataDirectory + "/store")
            if FileManager.default.fileExists(atPath: "/dev/shm/" + segment) { left.append("\(worker.name)'s warm tier \(segment) is still in /dev/shm") }
        }
        if FileManager.default.fileExists(atPath: children.root) { left.append("\(children.root) is still there") }
        if left.isEmpty { print("left behind: nothing (every process stopped, data directories and warm tiers removed)") }
        return left
    }
}
