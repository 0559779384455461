import Foundation
import StrataClient
import StrataWire

/// `strata status --namespace NS`: what a namespace holds and how its syncs went.
enum NamespaceStatusReport {
    static func print(_ status: NamespaceStatus, now: Date = Date()) {
        let info = status.info
        Swift.print("namespace \(info.name): \(info.documents) documents, \(info.chunks) chunks, \(info.tokens) tokens (tokenizer \(info.tokenizer.rawValue))")
        if !info.embedder.isEmpty {
            Swift.print("embedder \(info.embedder): \(info.embeddingBacklog == 0 ? "every chunk embedded" : "\(info.embeddingBacklog) chunks waiting for vectors (lexical search sees them already)")")
        }
        if status.unsettledDocuments > 0 {
            Swift.print("unsettled: \(status.unsettledDocuments) documents whose last ingest was interrupted (the next sync sends them again)")
        }
        if let running = status.runningSync { Swift.print(line("sync in progress", running, now)) }
        if let last = status.lastSync { Swift.print(line("last sync", last, now)) }
        if status.lastSync == nil && status.runningSync == nil { Swift.print("no sync has run on this namespace") }
    }

    static func line(_ label: String, _ sync: SyncRecord, _ now: Date) -> String {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let state = switch sync.state {
        case .running: "running"
        case .finished: "finished"
        case .failed: "FAILED"
        case .abandoned: "ABANDONED"
        case .unspecified: "unknown"
        }
        var text = "\(label): \(state), from \(sync.source), started \(ago(sync.startedAtUnixMs, nowMs))"
        if sync.finishedAtUnixMs > 0 {
            text += ", took \(String(format: "%.1f", Double(sync.finishedAtUnixMs - sync.startedAtUnixMs) / 1000)) s"
        } else {
            text += ", last report \(ago(sync.updatedAtUnixMs, nowMs))"
        }
        text += "\n  plan: add \(sync.toAdd), change \(sync.toChange), delete \(sync.toDelete), unchanged \(sync.unchanged), skipped \(sync.skipped) of \(sync.files + sync.skipped) files"
        text += "\n  done: sent \(sync.sent) of \(sync.toAdd + sync.toChange) (\(sync.bytesSent) of \(sync.bytesTotal) bytes), deleted \(sync.deleted) of \(sync.toDelete)"
        if !sync.error.isEmpty { text += "\n  why: \(sync.error)" }
        return text
    }

    static func ago(_ unixMs: Int64, _ nowMs: Int64) -> String {
        let seconds = max(0, Double(nowMs - unixMs) / 1000)
        return seconds < 120 ? String(format: "%.0f s ago", seconds) : String(format: "%.0f min ago", seconds / 60)
    }

    /// The same as JSON (for scripts and tests).
    static func json(_ status: NamespaceStatus) -> String {
        func record(_ sync: SyncRecord?) -> Any {
            guard let sync else { return NSNull() }
            let state = switch sync.state {
            case .running: "running"
            case .finished: "finished"
            case .failed: "failed"
            case .abandoned: "abandoned"
            case .unspecified: "unknown"
            }
            return ["sync_id": sync.syncID, "source": sync.source, "state": state, "started_at_unix_ms": sync.startedAtUnixMs,
                    "updated_at_unix_ms": sync.updatedAtUnixMs, "finished_at_unix_ms": sync.finishedAtUnixMs, "files": sync.files,
                    "skipped": sync.skipped, "to_add": sync.toAdd, "to_change": sync.toChange, "to_delete": sync.toDelete,
                    "unchanged": sync.unchanged, "sent": sync.sent, "deleted": sync.deleted, "bytes_total": sync.bytesTotal,
                    "bytes_sent": sync.bytesSent, "error": sync.error] as [String: Any]
        }
        let object: [String: Any] = [
            "namespace": status.info.name, "documents": status.info.documents, "chunks": status.info.chunks,
            "tokens": status.info.tokens, "unsettled_documents": status.unsettledDocuments,
            "embedder": status.info.embedder, "embedding_backlog": status.info.embeddingBacklog,
            "last_sync": record(status.lastSync), "running_sync": record(status.runningSync),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
