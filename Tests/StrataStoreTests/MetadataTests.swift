import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("Document metadata in the store")
struct MetadataTests {
    static func metadata(_ pairs: [(String, String)]) throws -> DocumentMetadata {
        try DocumentMetadata(validating: pairs.map { (key: $0.0, value: $0.1) }, field: "metadata")
    }

    static func put(_ doc: String, _ texts: [String], _ metadata: DocumentMetadata) -> StoreOperation {
        guard case .putDocument(let ns, let id, let chunks, _) = StoreTestData.put("ns", doc, texts) else { fatalError("not a put") }
        return .putDocument(namespace: ns, documentID: id, chunks: chunks, metadata: metadata)
    }

    /// Every chunk of the slot with its document's metadata, for comparing stores.
    static func dump(_ tier: PersistentTier, slot: UInt32) throws -> [String] {
        var out: [String] = []
        try tier.forEachChunk(inSlot: slot) { c in out.append("\(c.provenance.documentID)|\(c.ordinal)|\(c.text)|\(c.metadata)") }
        return out
    }

    @Test("metadata survives WAL replay, a flush into a segment and a compaction; an upsert replaces it")
    func roundTrip() throws {
        let dir = StoreTestData.temporaryDirectory("meta")
        defer { StoreTestData.removeDirectory(dir) }
        let lang = try Self.metadata([("lang", "swift"), ("team", "Store")])
        var tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 1, sequence: 1, operations: [Self.put("a", ["a0", "a1"], lang)]))
        try tier.apply(SlotWrite(slot: 1, sequence: 2, operations: [Self.put("plain", ["p0"], .empty)]))
        #expect(tier.documentMetadata(namespace: "ns", documentID: "a") == lang)
        let before = try Self.dump(tier, slot: 1)
        #expect(before == ["a|0|a0|{lang=swift, team=Store}", "a|1|a1|{lang=swift, team=Store}", "plain|0|p0|{}"])

        tier.close()
        tier = try PersistentTier.open(directory: dir)  // from the WAL
        #expect(try Self.dump(tier, slot: 1) == before)
        try tier.flush()
        tier.close()
        tier = try PersistentTier.open(directory: dir)  // from a segment's meta records
        #expect(try Self.dump(tier, slot: 1) == before)

        let replaced = try Self.metadata([("lang", "python")])
        try tier.apply(SlotWrite(slot: 1, sequence: 3, operations: [Self.put("a", ["a0"], replaced)]))
        try tier.flush()
        try tier.compact()
        tier.close()
        tier = try PersistentTier.open(directory: dir)  // from the compacted snapshot
        defer { tier.close() }
        #expect(tier.documentMetadata(namespace: "ns", documentID: "a") == replaced)
        #expect(tier.documentMetadata(namespace: "ns", documentID: "plain") == .empty)
        try tier.apply(SlotWrite(slot: 1, sequence: 4, operations: [.deleteDocument(namespace: "ns", documentID: "a")]))
        #expect(tier.documentMetadata(namespace: "ns", documentID: "a") == nil)
    }

    @Test("a slot copy (full and delta) carries each document's metadata")
    func slotCopy() throws {
        let dirA = StoreTestData.temporaryDirectory("meta-src")
        let dirB = StoreTestData.temporaryDirectory("meta-dst")
        defer { StoreTestData.removeDirectory(dirA); StoreTestData.removeDirectory(dirB) }
        let a = try PersistentTier.open(directory: dirA)
        let b = try PersistentTier.open(directory: dirB)
        defer { a.close(); b.close() }
        try a.apply(SlotWrite(slot: 3, sequence: 1, operations: [Self.put("x", ["x0"], try Self.metadata([("k", "1")]))]))
        try a.flush()
        var full: [SlotWrite] = []
        try a.exportSlot(3, after: 0) { full.append($0) }
        try b.importSlot(full)
        #expect(try Self.dump(b, slot: 3) == Self.dump(a, slot: 3))

        try a.apply(SlotWrite(slot: 3, sequence: 2, operations: [Self.put("x", ["x0"], try Self.metadata([("k", "2")]))]))
        var delta: [SlotWrite] = []
        try a.exportSlot(3, after: b.lastSequence(of: 3)) { delta.append($0) }
        try b.importSlot(delta)
        #expect(b.documentMetadata(namespace: "ns", documentID: "x")?.dictionary == ["k": "2"])
        #expect(try Self.dump(b, slot: 3) == Self.dump(a, slot: 3))
    }

    @Test("pairs are sorted by key whatever order they come in, so replicas store the same bytes")
    func canonicalOrder() throws {
        let one = try Self.metadata([("b", "2"), ("a", "1"), ("", "empty key")])
        let two = try Self.metadata([("", "empty key"), ("a", "1"), ("b", "2")])
        #expect(one == two)
        #expect(one.pairs.map(\.key) == ["", "a", "b"])
        #expect(one["a"] == "1")
        #expect(one["A"] == nil)
    }

    @Test("metadata over the limits or with a repeated key is refused with the field named")
    func limits() throws {
        func refusal(_ pairs: [(String, String)]) -> StrataError? {
            #expect(throws: StrataError.self) { _ = try DocumentMetadata(validating: pairs.map { (key: $0.0, value: $0.1) }, field: "doc.metadata") }
        }
        let tooMany = (0...DocumentMetadata.maximumPairs).map { ("k\($0)", "v") }
        #expect(refusal(tooMany)?.message.contains("doc.metadata has \(DocumentMetadata.maximumPairs + 1) pairs") == true)
        let longKey = refusal([("ok", "v"), (String(repeating: "k", count: DocumentMetadata.maximumKeyBytes + 1), "v")])
        #expect(longKey?.code == .invalidArgument)
        #expect(longKey?.message.contains("doc.metadata[1].key") == true)
        let longValue = refusal([("k", String(repeating: "é", count: DocumentMetadata.maximumValueBytes / 2 + 1))])
        #expect(longValue?.message.contains("doc.metadata[0].value") == true)
        let repeated = refusal([("k", "1"), ("j", "2"), ("k", "1")])
        #expect(repeated?.message.contains("doc.metadata[2].key \"k\" repeats doc.metadata[0].key") == true)
        // Exactly at the limits is fine.
        let full = (0..<DocumentMetadata.maximumPairs).map { (String(repeating: "k", count: DocumentMetadata.maximumKeyBytes - 2) + "\($0 + 10)",
                                                              String(repeating: "v", count: DocumentMetadata.maximumValueBytes)) }
        #expect(try Self.metadata(full).pairs.count == DocumentMetadata.maximumPairs)
    }

    @Test("a format-1 data directory (before metadata) is refused, naming both versions")
    func formatOneRefused() throws {
        let dir = StoreTestData.temporaryDirectory("meta-v1")
        defer { StoreTestData.removeDirectory(dir) }
        try PersistentTier.open(directory: dir).close()
        var manifest = try Manifest.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST"))), path: "m",
                                           expectedVersion: PersistentTier.formatVersion)
        manifest.formatVersion = 1
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: dir + "/MANIFEST"))
        let error = #expect(throws: StrataError.self) { _ = try PersistentTier.open(directory: dir) }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains("format version 1 is not supported") == true)
        #expect(error?.message.contains("version \(PersistentTier.formatVersion)") == true)
    }

    @Test("a damaged metadata count in a WAL record is data loss, not a document")
    func damagedRecord() throws {
        let put = RecordCoding.PreparedPut(key: DocumentKey(namespace: "ns", documentID: "d"), chunks: [], bodies: [],
                                           metadata: try Self.metadata([("b", "1"), ("a", "2")]))
        var bytes = RecordCoding.encodeWAL(slot: 0, sequence: 1, operations: [.put(put)])
        let decoded = try RecordCoding.decodeWAL(bytes[...])
        guard case .put(let back) = decoded.operations.first else { Issue.record("not a put"); return }
        #expect(back.metadata == put.metadata)
        // The pair count sits after the version, slot, sequence, count, kind and two strings.
        let offset = 1 + 4 + 8 + 4 + 1 + (4 + 2) + (4 + 1)
        bytes[offset] = 0xFF
        #expect(throws: StrataError.self) { _ = try RecordCoding.decodeWAL(bytes[...]) }
    }
}
