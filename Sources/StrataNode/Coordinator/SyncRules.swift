import StrataCore
import StrataWire

/// How the coordinator keeps directory-sync records: what a report must hold, and how a
/// report changes a namespace's book (pure: the time is passed in).
///
/// | report                                    | book before               | book after                                      |
/// |-------------------------------------------|---------------------------|-------------------------------------------------|
/// | RUNNING, id = running id                  | running r                 | running = report (started kept from r)          |
/// | RUNNING, new id                           | running r (other) or none | last = r as ABANDONED ("superseded"), running = report |
/// | FINISHED / FAILED, id = running id or new | any                       | last = report, running = none                   |
/// | any, id = last's id (already ended)       | last l                    | refused: FAILED_PRECONDITION                    |
///
/// A running sync whose latest report is older than the stale limit reads as ABANDONED
/// (its client is taken to be gone), without changing the book: a late report revives it.
enum SyncRules {
    /// One namespace's syncs: the last that ended, and the one running.
    struct Book: Codable, Equatable, Sendable {
        var last: SyncRecord?
        var running: SyncRecord?
    }

    static let maximumSourceBytes = 1024
    static let maximumErrorBytes = 4096

    /// Refuses a report that names no sync, claims a state only the coordinator sets, or
    /// counts more progress than its plan; errors name the field.
    static func validate(_ record: SyncRecord) throws(StrataError) {
        let id = record.syncID
        guard (1...128).contains(id.utf8.count) else {
            throw .invalidArgument("sync.sync_id must be 1 to 128 characters, got \(id.utf8.count)")
        }
        guard id.utf8.allSatisfy({ byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
        }) else {
            throw .invalidArgument("sync.sync_id \"\(id)\" may hold only letters, digits and . _ : -")
        }
        guard record.source.utf8.count <= maximumSourceBytes else {
            throw .invalidArgument("sync.source is \(record.source.utf8.count) bytes; the maximum is \(maximumSourceBytes)")
        }
        guard record.error.utf8.count <= maximumErrorBytes else {
            throw .invalidArgument("sync.error is \(record.error.utf8.count) bytes; the maximum is \(maximumErrorBytes)")
        }
        switch record.state {
        case .running, .finished, .failed: break
        case .unspecified: throw .invalidArgument("sync.state is not set (RUNNING, FINISHED or FAILED)")
        case .abandoned: throw .invalidArgument("sync.state ABANDONED is set by the coordinator, not reported")
        }
        guard record.sent <= record.toAdd + record.toChange else {
            throw .invalidArgument("sync.sent \(record.sent) is more than to_add + to_change (\(record.toAdd + record.toChange))")
        }
        guard record.deleted <= record.toDelete else {
            throw .invalidArgument("sync.deleted \(record.deleted) is more than to_delete (\(record.toDelete))")
        }
        guard record.bytesSent <= record.bytesTotal else {
            throw .invalidArgument("sync.bytes_sent \(record.bytesSent) is more than bytes_total (\(record.bytesTotal))")
        }
    }

    /// The book after a (validated) report at `nowMs`, and the record as kept.
    static func apply(_ report: SyncRecord, to book: Book, nowMs: Int64) throws(StrataError) -> (book: Book, kept: SyncRecord) {
        if let last = book.last, last.syncID == report.syncID {
            throw .failedPrecondition("sync \(report.syncID) already ended (\(last.state)); start a new sync with a new id")
        }
        var book = book
        var kept = report
        kept.updatedAtUnixMs = nowMs
        if let running = book.running, running.syncID == report.syncID {
            kept.startedAtUnixMs = running.startedAtUnixMs
        } else {
            kept.startedAtUnixMs = nowMs
            if var superseded = book.running {
                superseded.state = .abandoned
                superseded.error = "superseded by sync \(report.syncID) before it ended"
                book.last = superseded
            }
        }
        if kept.hasEnded {
            kept.finishedAtUnixMs = nowMs
            book.last = kept
            book.running = nil
        } else {
            kept.finishedAtUnixMs = 0
            book.running = kept
        }
        return (book, kept)
    }

    /// The book as status shows it at `nowMs`: a running sync silent past `staleAfterMs`
    /// reads as ABANDONED, with why.
    static func view(_ book: Book, nowMs: Int64, staleAfterMs: Int64) -> Book {
        guard var running = book.running, nowMs - running.updatedAtUnixMs > staleAfterMs else { return book }
        running.state = .abandoned
        running.error = "no report from the sync's client for \((nowMs - running.updatedAtUnixMs) / 1000) s; it is taken to be gone. Run the sync again to finish mirroring the directory"
        return Book(last: book.last, running: running)
    }
}
