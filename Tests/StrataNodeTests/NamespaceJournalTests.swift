import Foundation
@testable import StrataNode
import StrataCore
import StrataTestSupport
import StrataWire
import Testing

/// The document tally's snapshot and journal: what survives a restart, a torn append, a
/// dropped namespace, and compaction.
struct NamespaceJournalTests {
    private func tally(_ n: UInt64) -> NamespaceRegistry.Tally { .init(chunks: n, tokens: 10 * n, contentHash: "hash-\(n)") }

    @Test func recordedBatchesAreAppendedAndReplayedAfterARestart() throws {
        let directory = TestSupport.temporaryDirectory("strata-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try NamespaceRegistry(dataDirectory: directory)
        _ = try registry.create(CreateNamespaceRequest(name: "code"))
        let snapshot = try String(contentsOfFile: directory + "/namespaces.json", encoding: .utf8)
        try registry.record("code", ["a": tally(1), "b": tally(2)])
        try registry.markUnsettled("code", ["b", "c"])
        try registry.record("code", ["a": nil, "c": tally(3)])
        // Batches go to the journal; the snapshot is not rewritten for them.
        #expect(try String(contentsOfFile: directory + "/namespaces.json", encoding: .utf8) == snapshot)

        let reopened = try NamespaceRegistry(dataDirectory: directory)
        #expect(reopened.tally("code", document: "a") == nil)
        #expect(reopened.tally("code", document: "b") == .init(chunks: 2, tokens: 20, contentHash: nil))
        #expect(reopened.tally("code", document: "c") == tally(3))
        #expect(reopened.unsettledCount("code") == 1)
        // Opening folded the journal into the snapshot.
        #expect((try FileManager.default.attributesOfItem(atPath: directory + "/namespaces.journal")[.size] as? Int) == 0)
    }

    @Test func aTornAppendIsCutOffAndWhatCameBeforeIsKept() throws {
        let directory = TestSupport.temporaryDirectory("strata-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try NamespaceRegistry(dataDirectory: directory)
        _ = try registry.create(CreateNamespaceRequest(name: "code"))
        try registry.record("code", ["kept": tally(1)])
        // A crash in the middle of the next append: a length, a checksum and half a payload.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/namespaces.journal"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([200, 0, 0, 0, 1, 2, 3, 4]) + Data("{\"namespace\":\"co".utf8))
        try handle.close()
        let reopened = try NamespaceRegistry(dataDirectory: directory)
        #expect(reopened.tally("code", document: "kept") == tally(1))
        #expect(reopened.list().first?.documents == 1)
    }

    @Test func entriesOfADroppedNamespaceDoNotComeBack() throws {
        let directory = TestSupport.temporaryDirectory("strata-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try NamespaceRegistry(dataDirectory: directory)
        _ = try registry.create(CreateNamespaceRequest(name: "old"))
        try registry.record("old", ["x": tally(1)])
        _ = try registry.drop("old")
        _ = try registry.create(CreateNamespaceRequest(name: "old"))
        let reopened = try NamespaceRegistry(dataDirectory: directory)
        #expect(reopened.list().first?.documents == 0)
    }

    @Test func aGrownJournalIsFoldedIntoTheSnapshot() throws {
        let directory = TestSupport.temporaryDirectory("strata-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try NamespaceRegistry(dataDirectory: directory, minimumCompactionBytes: 512)
        _ = try registry.create(CreateNamespaceRequest(name: "code"))
        for batch in 0..<20 { try registry.record("code", ["doc-\(batch)": tally(UInt64(batch))]) }
        let journalBytes = try FileManager.default.attributesOfItem(atPath: directory + "/namespaces.journal")[.size] as? Int ?? -1
        #expect(journalBytes < 1024)
        #expect(try String(contentsOfFile: directory + "/namespaces.json", encoding: .utf8).contains("doc-10"))
        #expect(try NamespaceRegistry(dataDirectory: directory).list().first?.documents == 20)
    }

    @Test func runningCountsFollowEveryChangeAndSurviveARestart() throws {
        let directory = TestSupport.temporaryDirectory("strata-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try NamespaceRegistry(dataDirectory: directory)
        _ = try registry.create(CreateNamespaceRequest(name: "code"))
        try registry.record("code", ["a": tally(1), "b": tally(2), "c": tally(3)])
        try registry.markUnsettled("code", ["c", "new"])  // c stays counted (it is stored), new is not
        try registry.record("code", ["a": nil, "b": tally(5)])
        func expectCounts(_ registry: NamespaceRegistry) {
            let info = registry.list().first
            #expect(info?.documents == 2)
            #expect(info?.chunks == 8)
            #expect(info?.tokens == 80)
            #expect(registry.unsettledCount("code") == 2)
        }
        expectCounts(registry)
        expectCounts(try NamespaceRegistry(dataDirectory: directory))
    }

    @Test func aCatchUpRecordsTheReplicasChangesAndMovesTheSlotsPositionDurably() throws {
        let directory = TestSupport.temporaryDirectory("strata-journal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try NamespaceRegistry(dataDirectory: directory)
        _ = try registry.create(CreateNamespaceRequest(name: "code"))
        try registry.record("code", ["gone": tally(1)])
        #expect(registry.position(slot: 3) == 0)
        let changes: [String: [String: NamespaceRegistry.Tally?]] = ["code": ["x": tally(2), "gone": nil], "dropped": ["y": tally(1)]]
        try registry.catchUp(slot: 3, changes, through: 17)
        try registry.catchUp(slot: 5, [:], through: 9)
        let reopened = try NamespaceRegistry(dataDirectory: directory)
        for opened in [registry, reopened] {
            #expect(opened.position(slot: 3) == 17)
            #expect(opened.position(slot: 5) == 9)
            #expect(opened.tally("code", document: "x") == tally(2))
            #expect(opened.tally("code", document: "gone") == nil)
            #expect(opened.list().map(\.name) == ["code"])
        }
        // A position never goes back (an older stream's end).
        try reopened.catchUp(slot: 3, [:], through: 12)
        #expect(reopened.position(slot: 3) == 17)
    }
}
