@testable import StrataNode
import StrataCore
import StrataWire
import Testing

struct SyncRulesTests {
    private func report(_ id: String, _ state: SyncState, sent: UInt64 = 0) -> SyncRecord {
        var record = SyncRecord(syncID: id, namespace: "code", source: "host:/src", state: state)
        record.toAdd = 10
        record.sent = sent
        return record
    }

    @Test func aSyncRunsThenEndsAsLast() throws {
        var (book, kept) = try SyncRules.apply(report("s1", .running), to: .init(), nowMs: 1000)
        #expect(kept.startedAtUnixMs == 1000 && kept.finishedAtUnixMs == 0 && book.running == kept && book.last == nil)
        (book, kept) = try SyncRules.apply(report("s1", .running, sent: 4), to: book, nowMs: 2000)
        #expect(kept.startedAtUnixMs == 1000 && kept.updatedAtUnixMs == 2000 && book.running?.sent == 4)
        (book, kept) = try SyncRules.apply(report("s1", .finished, sent: 10), to: book, nowMs: 3000)
        #expect(book.running == nil && book.last == kept && kept.finishedAtUnixMs == 3000 && kept.startedAtUnixMs == 1000)
        // An ended sync cannot be reopened.
        #expect(throws: StrataError.self) { try SyncRules.apply(report("s1", .running), to: book, nowMs: 4000) }
    }

    @Test func aNewSyncSupersedesOneThatStoppedReporting() throws {
        let (book, _) = try SyncRules.apply(report("killed", .running, sent: 3), to: .init(), nowMs: 1000)
        let stale = SyncRules.view(book, nowMs: 1000 + 61_000, staleAfterMs: 60_000)
        #expect(stale.running?.state == .abandoned && stale.running?.error.contains("no report") == true)
        #expect(SyncRules.view(book, nowMs: 1000 + 59_000, staleAfterMs: 60_000) == book)  // still within the limit
        let (next, _) = try SyncRules.apply(report("rerun", .running), to: book, nowMs: 5000)
        #expect(next.running?.syncID == "rerun")
        #expect(next.last?.syncID == "killed" && next.last?.state == .abandoned && next.last?.error.contains("superseded") == true)
    }

    @Test(arguments: [
        ("", SyncState.running, "sync_id"), ("bad id!", .running, "sync_id"), ("ok", .unspecified, "sync.state"),
        ("ok", .abandoned, "ABANDONED"),
    ])
    func badReportsAreRefusedByField(_ id: String, _ state: SyncState, _ field: String) {
        let error = #expect(throws: StrataError.self) { try SyncRules.validate(report(id, state)) }
        #expect(error?.code == .invalidArgument && error?.message.contains(field) == true)
    }

    @Test func progressBeyondThePlanIsRefused() {
        var record = report("ok", .running, sent: 11)
        #expect(throws: StrataError.self) { try SyncRules.validate(record) }
        record.sent = 0
        record.deleted = 1
        #expect(throws: StrataError.self) { try SyncRules.validate(record) }
    }
}
