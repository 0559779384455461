import Foundation
import StrataCore
import StrataRPC
import StrataStore
import StrataWire
#if canImport(Glibc)
import Glibc
#endif

/// Each node's memory as the soak samples it: resident set (all, and anonymous memory apart,
/// which leaves out the mapped warm tier) from /proc, and for workers the /dev/shm use of their
/// warm tier as the kernel counts it beside the tier's own account and the bytes their memory
/// tiers hold (`strata.v1.Worker/Status`).
struct SoakMemory {
    struct Node {
        var name: String
        var pid: Int32
        var rssBytes = 0
        var anonymousBytes = 0
        /// Workers: what /dev/shm holds for the warm tier (nil for the coordinator).
        var sharedMemoryBytes: Int?
        /// Workers: the warm tier's own account of its shared memory.
        var warmReservedBytes = 0
        /// Workers: entry bytes of the hot and cold tiers (process memory that follows data).
        var memoryTierBytes = 0
    }

    var nodes: [Node]

    static func sample(_ children: ClusterBench.ChildNodes) async -> SoakMemory {
        var sampled: [Node] = []
        if let coordinator = children.coordinator {
            sampled.append(process(name: coordinator.name, pid: coordinator.process.processIdentifier))
        }
        for worker in children.workers {
            var node = process(name: worker.name, pid: worker.process.processIdentifier)
            let segment = ChunkStore.defaultWarmSegmentName(directory: worker.dataDirectory + "/store")
            node.sharedMemoryBytes = sharedMemoryBytes(segment, heldBy: worker.process.processIdentifier)
            if let report = await workerStatus(worker.address) {
                node.warmReservedBytes = report.tiers.first { $0.tier == .warm }?.reservedBytes ?? 0
                node.memoryTierBytes = report.tiers.filter { $0.tier == .hot || $0.tier == .cold }.reduce(0) { $0 + $1.bytesUsed }
            }
            sampled.append(node)
        }
        return SoakMemory(nodes: sampled)
    }

    /// A node whose anonymous memory grew during the quiet phase (no new data, no kills) by
    /// more than 32 MiB plus three times what its hot and cold tiers gained (their entries and
    /// the index around them) grows without data. A node restarted in between is not compared.
    static func growthWithoutData(from start: SoakMemory, to end: SoakMemory) -> [String] {
        zip(start.nodes, end.nodes).compactMap { before, after in
            guard before.pid == after.pid else { return nil }
            let grown = after.anonymousBytes - before.anonymousBytes
            let allowed = 32 << 20 + 3 * max(0, after.memoryTierBytes - before.memoryTierBytes)
            guard grown > allowed else { return nil }
            return "\(after.name) grew by \(mib(grown)) of anonymous memory in the quiet phase (allowed \(mib(allowed)) for what its tiers gained)"
        }
    }

    /// Workers whose warm tier holds more (or less) shared memory than it accounts for; asked a
    /// few times, since a query can move a chunk between tiers between the two readings.
    static func sharedMemoryMismatches(_ children: ClusterBench.ChildNodes) async -> [String] {
        var mismatches: [String] = []
        for _ in 0..<5 {
            mismatches = await sample(children).nodes.compactMap { node in
                guard let shm = node.sharedMemoryBytes, shm != node.warmReservedBytes else { return nil }
                return "\(node.name): /dev/shm holds \(shm) bytes for its warm tier, which accounts for \(node.warmReservedBytes)"
            }
            if mismatches.isEmpty { break }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return mismatches
    }

    static func printTable(start: SoakMemory, quietStart: SoakMemory, end: SoakMemory) {
        print("| node | RSS at start | RSS at end | anonymous memory, quiet phase start → end | /dev/shm at start | /dev/shm at end | hot + cold tier bytes at end |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for ((first, quiet), last) in zip(zip(start.nodes, quietStart.nodes), end.nodes) {
            let restarted = first.pid == last.pid ? "" : " (restarted)"
            let shm = { (node: Node) in node.sharedMemoryBytes.map(kib) ?? "-" }
            print("| \(last.name)\(restarted) | \(mib(first.rssBytes)) | \(mib(last.rssBytes)) | \(mib(quiet.anonymousBytes)) → \(mib(last.anonymousBytes)) | \(shm(first)) | \(shm(last)) | \(last.sharedMemoryBytes == nil ? "-" : kib(last.memoryTierBytes)) |")
        }
    }

    private static func process(name: String, pid: Int32) -> Node {
        var node = Node(name: name, pid: pid)
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { continue }
            if fields[0] == "VmRSS:" { node.rssBytes = kilobytes * 1024 }
            if fields[0] == "RssAnon:" { node.anonymousBytes = kilobytes * 1024 }
        }
        return node
    }

    /// The allocated bytes of the worker's segment, read through the descriptor the worker
    /// holds open, so that the figure is right even when someone removed the name from
    /// /dev/shm meanwhile (the object lives on while mapped). By name when no descriptor is found.
    private static func sharedMemoryBytes(_ segment: String, heldBy pid: Int32) -> Int {
        var status = stat()
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        for descriptor in descriptors {
            let path = "/proc/\(pid)/fd/\(descriptor)"
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
                target.hasPrefix("/dev/shm/" + segment), stat(path, &status) == 0
            else { continue }
            return Int(status.st_blocks) * 512
        }
        return stat("/dev/shm/" + segment, &status) == 0 ? Int(status.st_blocks) * 512 : 0
    }

    private static func workerStatus(_ address: String) async -> NodeStatusReport? {
        let channel = RPCChannel(target: address, limits: MessageLimits(maxReceiveBytes: 16 << 20, maxSendBytes: 16 << 20))
        guard let bytes = try? await channel.unary(MethodPath.workerStatus, WorkerStatusRequest().serializedBytes(), options: CallOptions(timeout: .seconds(10))) else {
            return nil
        }
        return try? NodeStatusMessage(serializedBytes: bytes).report
    }

    private static func mib(_ bytes: Int) -> String { "\(format(Double(bytes) / 1_048_576, 1)) MiB" }
    private static func kib(_ bytes: Int) -> String { "\(format(Double(bytes) / 1024, 0)) KiB" }
}
