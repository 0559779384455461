import ArgumentParser
import Foundation
import StrataControlPlane
import StrataEtcd

/// `strata-bench etcd`: the cost of making acknowledged high-water marks durable in etcd --
/// one guarded transaction (leader key compare + one put per slot) per commit, at 1, 16 and
/// 256 slots per transaction, sequentially; then 16 writers of one slot each through the
/// group commit (`HighWaterMarkCommitter`).
struct EtcdBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd",
        abstract: "Guarded high-water-mark transactions against etcd: p50/p99 at 1, 16, 256 slots per Txn, and the group commit.")

    @Option(help: "Transactions per measurement.") var transactions: Int = 400
    @Option(help: "Timed runs per measurement (the median run is reported).") var runs: Int = 3
    @Option(help: "Slots per transaction, comma-separated.") var slots: String = "1,16,256"
    @Option(help: "Members of the local etcd started for the run (1, or 3 for a quorum).") var members: Int = 1
    @Option(help: "Use this etcd instead of starting one (comma-separated host:port); it must allow --max-txn-ops of the largest slot count + 1.")
    var endpoints: String?
    @Option(help: "Concurrent writers for the group-commit measurement.") var writers: Int = 16
    @Flag(help: "Measure instead what the mark commit adds to ingest acknowledgements, local files vs etcd (starts coordinators and workers).")
    var ingest = false
    @Option(help: "With --ingest: batches, each its own stream.") var ingestBatches: Int = 300
    @Option(help: "With --ingest: documents per batch.") var documentsPerBatch: Int = 8

    func run() async throws {
        if ingest { return try await measureIngest() }
        let slotCounts = slots.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var local: LocalEtcd?
        defer { local?.stop() }
        let targets: [String]
        if let endpoints {
            targets = endpoints.split(separator: ",").map(String.init)
        } else {
            local = try await LocalEtcd.start(members: members)
            targets = local!.endpoints
        }
        let client = EtcdClient(try EtcdClientSettings(endpoints: targets))
        let store = EtcdControlPlaneStore(client: client, layout: try EtcdControlPlaneLayout(prefix: "/strata-bench/\(UUID().uuidString.prefix(8))/"),
                                          maxOperationsPerTransaction: (slotCounts.max() ?? 1) + 1)
        let lease = try await client.leaseGrant(ttl: 60)
        let key = store.layout.candidateKey(lease: lease.id)
        let campaign = try await client.put(EtcdPutRequest(key: key, value: Array("strata-bench".utf8), lease: lease.id))
        let leader = LeaderToken(key: key, epoch: campaign.header.revision, lease: lease.id)

        print("# strata-bench etcd: guarded high-water-mark commits, \(transactions) per run, median of \(runs) runs")
        print("# etcd: \(local.map { "\($0.members.count) local member(s), data in \($0.directory)" } ?? targets.joined(separator: ","))"
            + " (\(Self.etcdVersion())); \(ProcessInfo.processInfo.activeProcessorCount) cores shared with this client\n")
        print("| slots per Txn | Txn/s | marks/s | p50 µs | p99 µs |")
        print("|---:|---:|---:|---:|---:|")
        var sequence: UInt64 = 0
        for count in slotCounts {
            var summaries: [LatencySummary] = []
            for _ in 0..<runs {
                var latencies: [Double] = []
                latencies.reserveCapacity(transactions)
                let clock = ContinuousClock()
                let started = clock.now
                for _ in 0..<transactions {
                    sequence += 1
                    let marks = Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, sequence) })
                    let before = clock.now
                    _ = try await store.commit(ControlPlaneBatch(leader: leader, highWaterMarks: marks))
                    latencies.append((clock.now - before).seconds)
                }
                summaries.append(LatencySummary(latencies: latencies, seconds: (clock.now - started).seconds))
            }
            let median = summaries.sorted { $0.p50Microseconds < $1.p50Microseconds }[summaries.count / 2]
            print("| \(count) | \(format(median.callsPerSecond, 0)) | \(format(median.callsPerSecond * Double(count), 0)) | \(format(median.p50Microseconds, 0)) | \(format(median.p99Microseconds, 0)) |")
        }

        // The group commit: `writers` tasks, each recording its own slot's next mark in a loop.
        let committer = HighWaterMarkCommitter(store: store, durable: [:])
        let perWriter = max(1, transactions / 4)
        let base = sequence
        let clock = ContinuousClock()
        let started = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var latencies: [Double] = []
                    for step in 1...perWriter {
                        let before = clock.now
                        try await committer.record([1000 + writer: base + UInt64(step)], leader: leader)
                        latencies.append((clock.now - before).seconds)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let summary = LatencySummary(latencies: latencies, seconds: (clock.now - started).seconds)
        let commits = await committer.commits
        print("\n\(writers) writers x \(perWriter) marks through the group commit: \(format(summary.callsPerSecond, 0)) marks/s in \(commits) Txns "
            + "(\(format(Double(latencies.count) / Double(max(1, commits)), 1)) marks per Txn), record() p50 \(format(summary.p50Microseconds, 0)) µs, p99 \(format(summary.p99Microseconds, 0)) µs")
        _ = try? await client.leaseRevoke(id: lease.id)
        _ = try? await client.deleteRange(EtcdDeleteRangeRequest(key: store.layout.dataPrefix, rangeEnd: EtcdKeyRange.prefixEnd(store.layout.dataPrefix)))
    }

    private static func etcdVersion() -> String {
        guard let path = LocalEtcd.executablePath else { return "etcd version unknown" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "etcd version unknown" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? "etcd version unknown"
    }
}
