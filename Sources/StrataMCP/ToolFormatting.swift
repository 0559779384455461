import Foundation
import MCP
import StrataClient
import StrataCore
import StrataWire

/// How tool results read: text for the model (what it asked for, first; then what it should
/// know, such as a degraded answer), and the same facts as structured content for programs.
enum ToolFormatting {
    static func context(_ answer: QueryAnswer, query: String, namespace: String, budget: Int) -> CallTool.Result {
        var text = "Context for \"\(query)\" from namespace \(namespace): \(answer.passages.count) passages, \(answer.summary.tokens) tokens (budget \(budget))."
        if answer.header.degraded { text += "\n" + degradedWarning(answer.header) }
        if answer.header.stale { text += "\n" + staleWarning(answer.header) }
        if answer.passages.isEmpty {
            text += "\nNothing matched. Try other words, a broader query, or check the namespace with indexing_status."
        } else {
            text += "\n\n" + answer.rendered
        }
        return CallTool.Result(content: [ToolFormatting.text(text)], structuredContent: .object([
            "namespace": .string(namespace),
            "tokens": .int(Int(answer.summary.tokens)),
            "token_budget": .int(budget),
            "degraded": .bool(answer.header.degraded),
            "degraded_reason": .string(answer.header.degradedReason),
            "stale": .bool(answer.header.stale),
            "stale_reason": .string(answer.header.staleReason),
            "passages": .array(answer.passages.map(passage)),
        ]), isError: false)
    }

    static func search(_ answer: QueryAnswer, query: String, namespace: String, topK: Int) -> CallTool.Result {
        let ranked = Array(answer.passages.sorted { ($0.score, $1.rank) > ($1.score, $0.rank) }.prefix(topK))
        var lines = ["\(ranked.count) passages in namespace \(namespace) for \"\(query)\", best first:"]
        if answer.header.degraded { lines.append(degradedWarning(answer.header)) }
        if answer.header.stale { lines.append(staleWarning(answer.header)) }
        for (index, passage) in ranked.enumerated() {
            let p = passage.provenance
            lines.append("\(index + 1). \(p.documentID):\(p.lineStart)-\(p.lineEnd)  score \(String(format: "%.3f", passage.score))")
            lines.append(indent(snippet(passage.text)))
        }
        if ranked.isEmpty { lines.append("Nothing matched. Try other words or check the namespace with indexing_status.") }
        else { lines.append("Open a passage in full with read_document(namespace, document_id, line_start, line_end).") }
        return CallTool.Result(content: [ToolFormatting.text(lines.joined(separator: "\n"))], structuredContent: .object([
            "namespace": .string(namespace),
            "degraded": .bool(answer.header.degraded),
            "degraded_reason": .string(answer.header.degradedReason),
            "stale": .bool(answer.header.stale),
            "stale_reason": .string(answer.header.staleReason),
            "results": .array(ranked.map(passage)),
        ]), isError: false)
    }

    static func document(_ document: ReadDocumentResponse, namespace: String) -> CallTool.Result {
        var header = "\(document.documentID) (namespace \(namespace)), lines \(document.lineStart)-\(document.lineEnd) of \(document.totalLines):"
        if document.truncated { header += " cut short at 4 MiB; continue with line_start \(document.lineEnd + 1)." }
        var numbered: [String] = []
        var number = Int(document.lineStart)
        for line in document.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(Int(document.lineEnd - document.lineStart + 1)) {
            numbered.append(String(format: "%6d\t", number) + line)
            number += 1
        }
        return CallTool.Result(content: [ToolFormatting.text(header + "\n" + numbered.joined(separator: "\n"))], structuredContent: .object([
            "document_id": .string(document.documentID),
            "line_start": .int(Int(document.lineStart)),
            "line_end": .int(Int(document.lineEnd)),
            "total_lines": .int(Int(document.totalLines)),
            "truncated": .bool(document.truncated),
            "content_hash": .string(document.contentHash),
            "metadata": .object(Dictionary(document.metadata.map { ($0.key, Value.string($0.value)) }, uniquingKeysWith: { a, _ in a })),
            "text": .string(document.text),
        ]), isError: false)
    }

    static func sync(_ outcome: DirectorySync.Outcome, root: String, created: Bool) -> CallTool.Result {
        let r = outcome.record
        var text = (created ? "Created namespace \(r.namespace). " : "")
            + "Synced \(root) into namespace \(r.namespace) in \(String(format: "%.1f", outcome.seconds)) s: added \(r.toAdd), changed \(r.toChange), deleted \(r.toDelete), unchanged \(r.unchanged), skipped \(r.skipped) (binary, empty, too large or unreadable)."
        if !outcome.rejected.isEmpty {
            text += " Strata refused \(outcome.rejected.count) files: " + outcome.rejected.prefix(5).map { "\($0.documentID) (\($0.reason))" }.joined(separator: "; ")
        }
        return CallTool.Result(content: [ToolFormatting.text(text)], structuredContent: .object([
            "namespace": .string(r.namespace), "added": .int(Int(r.toAdd)), "changed": .int(Int(r.toChange)),
            "deleted": .int(Int(r.toDelete)), "unchanged": .int(Int(r.unchanged)), "skipped": .int(Int(r.skipped)),
            "rejected": .int(outcome.rejected.count), "seconds": .double(outcome.seconds), "namespace_created": .bool(created),
        ]), isError: false)
    }

    static func status(_ status: NamespaceStatus, cluster: ClusterStatusResponse?, now: Date) -> CallTool.Result {
        let info = status.info
        var lines = ["Namespace \(info.name): \(info.documents) documents, \(info.chunks) chunks, \(info.tokens) tokens (tokenizer \(info.tokenizer.rawValue))."]
        if !info.embedder.isEmpty {
            lines.append(info.embeddingBacklog == 0
                ? "Every chunk has its vector (embedded on the server by \(info.embedder)); search runs hybrid."
                : "\(info.embeddingBacklog) chunks are still waiting for vectors (embedded on the server by \(info.embedder)); lexical search finds them already, hybrid search once embedded.")
        }
        if status.unsettledDocuments > 0 {
            lines.append("\(status.unsettledDocuments) documents are in an unknown state (an ingest of them was interrupted); the next sync sends them again.")
        }
        if let running = status.runningSync { lines.append(describe(running, now: now)) }
        if let last = status.lastSync { lines.append("Last sync: " + describe(last, now: now)) }
        if status.runningSync == nil && status.lastSync == nil { lines.append("No directory sync has run on this namespace.") }
        if let cluster, cluster.slotsUnavailable > 0 {
            lines.append("Warning: \(cluster.slotsUnavailable) slots have no live replica; searches are degraded until recovery (see cluster_status).")
        }
        var object: [String: Value] = [
            "namespace": .string(info.name), "documents": .int(Int(info.documents)), "chunks": .int(Int(info.chunks)),
            "tokens": .int(Int(info.tokens)), "unsettled_documents": .int(Int(status.unsettledDocuments)),
            "embedder": .string(info.embedder), "embedding_backlog": .int(Int(info.embeddingBacklog)),
        ]
        if let running = status.runningSync { object["running_sync"] = record(running) }
        if let last = status.lastSync { object["last_sync"] = record(last) }
        return CallTool.Result(content: [ToolFormatting.text(lines.joined(separator: "\n"))], structuredContent: .object(object), isError: false)
    }

    static func namespaces(_ namespaces: [NamespaceInfo]) -> CallTool.Result {
        let text = namespaces.isEmpty
            ? "There are no namespaces yet. Create one by syncing a directory with sync_directory."
            : (["\(namespaces.count) namespaces:"] + namespaces.map {
                "- \($0.name): \($0.documents) documents, \($0.chunks) chunks, \($0.tokens) tokens (tokenizer \($0.tokenizer.rawValue)\($0.dimension > 0 ? ", \($0.dimension)-dimension vectors" : ""))"
            }).joined(separator: "\n")
        return CallTool.Result(content: [ToolFormatting.text(text)], structuredContent: .object([
            "namespaces": .array(namespaces.map {
                .object(["name": .string($0.name), "documents": .int(Int($0.documents)), "chunks": .int(Int($0.chunks)),
                         "tokens": .int(Int($0.tokens)), "tokenizer": .string($0.tokenizer.rawValue), "dimension": .int(Int($0.dimension))])
            }),
        ]), isError: false)
    }

    static func cluster(_ cluster: ClusterStatusResponse) -> CallTool.Result {
        let healthy = cluster.slotsUnavailable == 0 && cluster.slotsUnderReplicated == 0
        var lines = [
            "Cluster \(cluster.clusterID): \(cluster.slotCount) slots, \(cluster.replicationFactor) replicas each. "
                + "\(cluster.slotsFullyReplicated) fully replicated, \(cluster.slotsUnderReplicated) under-replicated, \(cluster.slotsUnavailable) unavailable"
                + (healthy ? " (healthy)." : "."),
        ]
        if cluster.slotsUnavailable > 0 {
            lines.append("Answers are degraded: documents in unavailable slots cannot be searched until a replica comes back.")
        }
        for node in cluster.nodes {
            lines.append("- \(node.role == .coordinator ? "coordinator" : "worker") \(node.nodeID) at \(node.address): \(stateName(node.state))")
        }
        if !cluster.transfers.isEmpty {
            lines.append("\(cluster.transfers.count) slot copies in progress (recovery or rebalancing).")
        }
        return CallTool.Result(content: [ToolFormatting.text(lines.joined(separator: "\n"))], structuredContent: .object([
            "cluster_id": .string(cluster.clusterID),
            "slots": .int(Int(cluster.slotCount)),
            "slots_fully_replicated": .int(Int(cluster.slotsFullyReplicated)),
            "slots_under_replicated": .int(Int(cluster.slotsUnderReplicated)),
            "slots_unavailable": .int(Int(cluster.slotsUnavailable)),
            "transfers": .int(cluster.transfers.count),
            "nodes": .array(cluster.nodes.map {
                .object(["node_id": .string($0.nodeID), "address": .string($0.address), "state": .string(stateName($0.state)),
                         "role": .string($0.role == .coordinator ? "coordinator" : "worker")])
            }),
        ]), isError: false)
    }

    // MARK: - Pieces

    /// A text content item.
    static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }

    static func staleWarning(_ header: QueryHeader) -> String {
        "WARNING: this answer is stale -- the coordinator has lost its control plane and answered from its last known cluster map: \(header.staleReason). Retry later, or ask another coordinator, for a current answer."
    }

    static func degradedWarning(_ header: QueryHeader) -> String {
        "WARNING: this answer is degraded -- part of the data could not be searched: \(header.degradedReason). Results may miss documents; cluster_status shows which worker is down. Retry later for a complete answer."
    }

    static func passage(_ passage: Passage) -> Value {
        let p = passage.provenance
        return .object([
            "document_id": .string(p.documentID), "line_start": .int(p.lineStart), "line_end": .int(p.lineEnd),
            "score": .double(passage.score), "tokens": .int(Int(passage.tokens)), "rank": .int(Int(passage.rank)),
            "text": .string(passage.text),
            "metadata": .object(Dictionary(passage.metadata.map { ($0.key, Value.string($0.value)) }, uniquingKeysWith: { a, _ in a })),
        ])
    }

    static func describe(_ sync: SyncRecord, now: Date) -> String {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let plan = "add \(sync.toAdd), change \(sync.toChange), delete \(sync.toDelete), unchanged \(sync.unchanged)"
        switch sync.state {
        case .running:
            return "A sync from \(sync.source) is running (started \(ago(sync.startedAtUnixMs, nowMs)), last report \(ago(sync.updatedAtUnixMs, nowMs))): \(plan); sent \(sync.sent) of \(sync.toAdd + sync.toChange), deleted \(sync.deleted) of \(sync.toDelete)."
        case .abandoned:
            return "A sync from \(sync.source) stopped before it ended (\(sync.error)); it had planned \(plan) and sent \(sync.sent) of \(sync.toAdd + sync.toChange), deleted \(sync.deleted) of \(sync.toDelete)."
        case .failed:
            return "failed \(ago(sync.finishedAtUnixMs, nowMs)) from \(sync.source): \(sync.error). It had planned \(plan)."
        default:
            return "finished \(ago(sync.finishedAtUnixMs, nowMs)) from \(sync.source) in \(String(format: "%.1f", Double(sync.finishedAtUnixMs - sync.startedAtUnixMs) / 1000)) s: added \(sync.toAdd), changed \(sync.toChange), deleted \(sync.toDelete), unchanged \(sync.unchanged), skipped \(sync.skipped)."
        }
    }

    static func record(_ sync: SyncRecord) -> Value {
        .object([
            "sync_id": .string(sync.syncID), "source": .string(sync.source), "state": .string(syncStateName(sync.state)),
            "started_at_unix_ms": .int(Int(sync.startedAtUnixMs)), "updated_at_unix_ms": .int(Int(sync.updatedAtUnixMs)),
            "finished_at_unix_ms": .int(Int(sync.finishedAtUnixMs)), "files": .int(Int(sync.files)),
            "to_add": .int(Int(sync.toAdd)), "to_change": .int(Int(sync.toChange)), "to_delete": .int(Int(sync.toDelete)),
            "unchanged": .int(Int(sync.unchanged)), "skipped": .int(Int(sync.skipped)), "sent": .int(Int(sync.sent)),
            "deleted": .int(Int(sync.deleted)), "error": .string(sync.error),
        ])
    }

    static func syncStateName(_ state: SyncState) -> String {
        switch state {
        case .running: "running"
        case .finished: "finished"
        case .failed: "failed"
        case .abandoned: "abandoned"
        case .unspecified: "unknown"
        }
    }

    static func stateName(_ state: NodeState) -> String { state.rawValue }

    static func ago(_ unixMs: Int64, _ nowMs: Int64) -> String {
        let seconds = max(0, (nowMs - unixMs) / 1000)
        if seconds < 120 { return "\(seconds) s ago" }
        if seconds < 7200 { return "\(seconds / 60) min ago" }
        return "\(seconds / 3600) h ago"
    }

    static func snippet(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(6)
        var snippet = lines.joined(separator: "\n")
        if snippet.count > 400 { snippet = String(snippet.prefix(400)) + "…" }
        else if lines.count < text.split(separator: "\n", omittingEmptySubsequences: false).count { snippet += "\n…" }
        return snippet
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
    }
}
