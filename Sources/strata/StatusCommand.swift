import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataCore
import StrataRPC
import StrataWire

/// `strata status`: the cluster's slots and replication; `strata nodes`: one line per node.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the cluster: slots, replication, recovery; or one namespace with --namespace.",
        discussion: """
            With --wait-ready SECONDS it first waits until the cluster can take a write: every worker of \
            --expect-workers (or, without it, every worker the coordinator knows) serving, and every slot with its \
            replicas placed, live and up to date. It exits 1 naming what is still missing when the time runs out.
            """)
    @OptionGroup var options: CoordinatorOptions
    @Option(name: .shortAndLong, help: "Show this namespace: documents, chunks, tokens, its last sync and any sync in progress.")
    var namespace: String?
    @Flag(help: "With --namespace: print JSON.") var json = false
    @Option(help: ArgumentHelp("Wait up to this many seconds until the cluster can take a write (see below).", valueName: "seconds"))
    var waitReady: Double?
    @Option(help: ArgumentHelp("With --wait-ready: worker addresses (host:port as they registered, comma-separated) that must be serving.", valueName: "addresses"))
    var expectWorkers: String?

    func validate() throws {
        if let waitReady, !(waitReady >= 0 && waitReady <= 86_400) { throw ValidationError("--wait-ready must be 0 to 86400 seconds") }
        if expectWorkers != nil && waitReady == nil { throw ValidationError("--expect-workers applies with --wait-ready only") }
        if namespace != nil && waitReady != nil { throw ValidationError("--wait-ready does not combine with --namespace") }
        if json && namespace == nil { throw ValidationError("--json applies with --namespace only") }
    }

    func run() async throws {
        if let namespace {
            let status = try await call("status") { try await options.client().namespaceStatus(namespace) }
            json ? print(NamespaceStatusReport.json(status)) : NamespaceStatusReport.print(status)
            return
        }
        let status: ClusterStatusResponse
        if let waitReady {
            status = try await waitUntilReady(seconds: waitReady)
        } else {
            status = try await fetchClusterStatus(options)
        }
        let workers = status.nodes.filter { $0.role == .worker }
        print("cluster \(status.clusterID) (map version \(status.mapVersion))")
        print("slots \(status.slotCount), replicas \(status.replicationFactor), write quorum \(status.writeQuorum)")
        print("workers: \(workers.filter { $0.state == .serving }.count) serving, \(workers.filter { $0.state == .suspect }.count) suspect, \(workers.filter { $0.state == .dead }.count) dead")
        print("slots fully replicated: \(status.slotsFullyReplicated), under-replicated: \(status.slotsUnderReplicated), unavailable: \(status.slotsUnavailable)")
        if !status.transfers.isEmpty {
            let copied = status.transfers.reduce(UInt64(0)) { $0 + $1.recordsCopied }
            let total = status.transfers.reduce(UInt64(0)) { $0 + $1.recordsTotal }
            let bytesCopied = status.transfers.reduce(UInt64(0)) { $0 + $1.bytesCopied }
            let bytesTotal = status.transfers.reduce(UInt64(0)) { $0 + $1.bytesTotal }
            let purposes = Dictionary(grouping: status.transfers, by: \.purpose)
                .sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key.isEmpty ? "unlabelled" : $0.key)" }
            print("recovering: \(status.transfers.count) slot copies in flight (\(purposes.joined(separator: ", "))), \(copied) of \(total) records, \(Self.bytes(bytesCopied, of: bytesTotal))")
        }
        for transfer in status.transfers {
            print("  slot \(transfer.slot): \(transfer.sourceNode) -> \(transfer.targetNode) (\(transfer.purpose)), \(transfer.recordsCopied) of \(transfer.recordsTotal) records, \(Self.bytes(transfer.bytesCopied, of: transfer.bytesTotal))")
        }
        for embedding in status.embeddings {
            let state = embedding.backlogChunks == 0 ? "all chunks embedded" : "\(embedding.backlogChunks) chunks to embed"
            print("embedding \(embedding.namespace) (\(embedding.embedder)): \(state), \(embedding.embeddedChunks) embedded since the coordinator started"
                  + (embedding.backend.isEmpty ? "" : ", on \(embedding.backend)") + (embedding.error.isEmpty ? "" : "; error: \(embedding.error)"))
        }
    }
}

extension StatusCommand {
    /// "1.2 MiB of 3.4 MiB" ("of ?" while the source has not announced the total; "size not
    /// yet known" before any byte arrived).
    static func bytes(_ copied: UInt64, of total: UInt64) -> String {
        guard copied > 0 || total > 0 else { return "size not yet known" }
        return "\(byteCount(copied)) of \(total > 0 ? byteCount(total) : "?")"
    }

    /// "1.2 MiB"; "0 B" for nothing (Foundation writes "Zero KB").
    static func byteCount(_ count: UInt64) -> String {
        count == 0 ? "0 B" : ByteCountFormatter.string(fromByteCount: Int64(clamping: count), countStyle: .binary)
    }
}

struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "List every node of the cluster with its tiers.")
    @OptionGroup var options: CoordinatorOptions

    func run() async throws {
        let status = try await fetchClusterStatus(options)
        print(Table.render(
            header: ["ROLE", "NODE", "ADDRESS", "ZONE", "STATE", "SLOTS", "TOKENS", "HOT", "WARM", "COLD", "HIT RATE", "WAL", "HOT BACKEND"],
            rows: status.nodes.map(Self.row)))
    }

    static func row(_ node: NodeStatusReport) -> [String] {
        func tier(_ name: TierName) -> TierStats? { node.tiers.first { $0.tier == name } }
        func use(_ name: TierName) -> String {
            guard let t = tier(name), t.capacityBytes > 0 else { return "-" }
            return String(format: "%.0f%%", 100 * Double(t.bytesUsed) / Double(t.capacityBytes))
        }
        let memory = node.tiers.filter { $0.tier != .persistent }
        let hits = memory.reduce(UInt64(0)) { $0 + $1.hits }
        let lookups = hits + (tier(.persistent)?.hits ?? 0)
        let hitRate = lookups > 0 ? String(format: "%.0f%%", 100 * Double(hits) / Double(lookups)) : "-"
        let tokens = tier(.persistent).map { "\($0.tokens)" } ?? "-"
        // A worker that has not sent its first status report yet has no tiers: "-", not "0 B".
        let wal = node.role == .worker && !node.tiers.isEmpty ? StatusCommand.byteCount(node.walBytes) : "-"
        // Coordinators sharing etcd say which one leads.
        let role: String
        switch node.controlPlane?.role {
        case .leader?: role = "coordinator (leader)"
        case .follower?: role = node.controlPlane?.stale == true ? "coordinator (follower, stale)" : "coordinator (follower)"
        default: role = node.role.rawValue
        }
        return [role, node.nodeID, node.address, node.zone.isEmpty ? "-" : node.zone, node.state.rawValue,
                node.role == .worker ? "\(node.slots.count)" : "-", tokens, use(.hot), use(.warm), use(.cold), hitRate, wal,
                tier(.hot)?.backend ?? "-"]
    }
}

func fetchClusterStatus(_ options: CoordinatorOptions) async throws -> ClusterStatusResponse {
    try await call("status") {
        try ClusterStatusResponse(serializedBytes: await options.channel().unary(
            MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes(), options: options.callOptions))
    }
}

/// `strata delete DOC…`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete documents by id.")
    @OptionGroup var options: CoordinatorOptions
    @Option(name: .shortAndLong, help: "Namespace.") var namespace: String
    @Argument(help: "Document ids.") var documents: [String]

    func run() async throws {
        let response = try await call("delete") {
            try DeleteDocumentsResponse(serializedBytes: await options.channel().unary(
                MethodPath.coordinatorDeleteDocuments, DeleteDocumentsRequest(namespace: namespace, documentIDs: documents).serializedBytes(),
                options: options.callOptions))
        }
        print("deleted \(response.deleted) documents")
        for id in response.notFound { print("not found: \(id)") }
    }
}
