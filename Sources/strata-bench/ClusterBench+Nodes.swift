import Foundation
import StrataCore
import StrataStore
#if canImport(Glibc)
import Glibc
#endif

extension ClusterBench {
    /// One child process: a Strata node with its own data directory and log file.
    struct ChildNode {
        let name: String
        let address: String
        let dataDirectory: String
        let log: String
        let process: Process
    }

    /// The benchmark's child processes. Stops every one it started and removes their data
    /// directories and the workers' warm tiers (only the shared-memory objects of the data
    /// directories it created: other people's nodes may run on the same machine).
    final class ChildNodes {
        let root: String
        let binDirectory: String
        private(set) var coordinator: ChildNode?
        private(set) var workers: [ChildNode] = []
        private(set) var coordinatorAddress = ""

        init(workDir: String) throws {
            root = (workDir.hasSuffix("/") ? workDir : workDir + "/") + "strata-bench-cluster-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            binDirectory = URL(fileURLWithPath: me).deletingLastPathComponent().path
            for binary in ["strata-coordinator", "strata-worker"] where !FileManager.default.isExecutableFile(atPath: binDirectory + "/" + binary) {
                throw BenchFailure("\(binDirectory)/\(binary) is missing: build it next to strata-bench (swift build -c release)")
            }
        }

        func startCoordinator(settings: [String], replicas: Int = 2) throws {
            let address = "127.0.0.1:\(try Self.freePort())"
            coordinatorAddress = address
            coordinator = try start(name: "coordinator", binary: "strata-coordinator", address: address,
                                    arguments: ["--replicas", "\(replicas)"] + settings)
        }

        /// Starts worker `index` again (same name, address and data directory) after it
        /// stopped; returns once it logs that it serves. Its log starts afresh.
        @discardableResult
        func restartWorker(_ index: Int, settings: [String] = []) throws -> ChildNode {
            let old = workers[index]
            let worker = try start(name: old.name, binary: "strata-worker", address: old.address,
                                   arguments: ["--coordinator", coordinatorAddress] + settings)
            workers[index] = worker
            return worker
        }

        /// SIGTERM: a graceful stop (the worker moves its hot tier into the warm tier).
        func terminate(_ node: ChildNode) {
            Glibc.kill(node.process.processIdentifier, SIGTERM)
            node.process.waitUntilExit()
        }

        @discardableResult
        func startWorker(settings: [String] = []) throws -> ChildNode {
            let address = "127.0.0.1:\(try Self.freePort())"
            let worker = try start(name: "worker-\(workers.count + 1)", binary: "strata-worker", address: address,
                                   arguments: ["--coordinator", coordinatorAddress] + settings)
            workers.append(worker)
            return worker
        }

        /// SIGKILL: the node gets no chance to say goodbye.
        func kill(_ node: ChildNode) {
            Glibc.kill(node.process.processIdentifier, SIGKILL)
            node.process.waitUntilExit()
        }

        func stopAll() {
            let all = workers + [coordinator].compactMap { $0 }
            for node in all where node.process.isRunning { Glibc.kill(node.process.processIdentifier, SIGTERM) }
            for node in all {
                let deadline = Date().addingTimeInterval(20)
                while node.process.isRunning && Date() < deadline { usleep(20_000) }
                if node.process.isRunning {
                    Glibc.kill(node.process.processIdentifier, SIGKILL)
                    node.process.waitUntilExit()
                }
            }
            for worker in workers {
                ChunkStore.destroyWarmTier(directory: worker.dataDirectory + "/store")
            }
            try? FileManager.default.removeItem(atPath: root)
        }

        func printLogs() {
            for node in [coordinator].compactMap({ $0 }) + workers {
                let text = (try? String(contentsOfFile: node.log, encoding: .utf8)) ?? ""
                print("--- \(node.name) log (last 40 lines)")
                print(text.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n"))
            }
        }

        func start(name: String, binary: String, address: String, arguments: [String]) throws -> ChildNode {
            let data = root + "/" + name
            let log = root + "/" + name + ".log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binDirectory + "/" + binary)
            process.arguments = ["--listen", address, "--data", data] + arguments
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let node = ChildNode(name: name, address: address, dataDirectory: data, log: log, process: process)
            let deadline = Date().addingTimeInterval(60)
            while true {
                if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("serving on") { return node }
                guard process.isRunning else {
                    throw BenchFailure("\(name) exited with \(process.terminationStatus): \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                }
                guard Date() < deadline else { throw BenchFailure("\(name) did not start within 60 s") }
                usleep(10_000)
            }
        }

        /// A loopback port nobody listens on now.
        static func freePort() throws -> Int { try LoopbackPort.unused() }
    }

    /// A failure of the benchmark itself (a node did not start, a deadline passed).
    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
