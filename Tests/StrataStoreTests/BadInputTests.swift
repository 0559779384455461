import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("Bad input is refused and changes nothing")
struct BadInputTests {
    private func expectRefused(_ tier: PersistentTier, _ op: StoreOperation, code: StrataError.Code, mentions field: String) throws {
        let before = tier.detailedStats()
        let seq = tier.lastSequence(of: 0)
        // The valid first operation must not be applied either: batches are all or nothing.
        let error = #expect(throws: StrataError.self) {
            try tier.apply(SlotWrite(slot: 0, sequence: seq + 1, operations: [StoreTestData.put("ns", "fine", ["fine text"], vectors: [[1, 1, 1]]), op]))
        }
        #expect(error?.code == code)
        #expect(error?.message.contains(field) == true, "\(String(describing: error)) should name \(field)")
        #expect(tier.detailedStats() == before)
        #expect(tier.lastSequence(of: 0) == seq)
        #expect(tier.documentChunks(namespace: "ns", documentID: "fine") == nil)
    }

    @Test("NaN, Inf, wrong dimension, empty, oversized, invalid UTF-8, empty names")
    func refused() throws {
        let dir = StoreTestData.temporaryDirectory("bad")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir, settings: PersistentSettings(maxChunkBytes: 1000))
        defer { tier.close() }
        try tier.apply(SlotWrite(slot: 1, sequence: 1, operations: [StoreTestData.put("ns", "setup", ["dimension three"], vectors: [[0, 0, 1]])]))
        let p = StoreTestData.provenance("d", 0)
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(text: "x", tokenCount: 1, provenance: p, vector: [1, .nan, 0])]),
                          code: .invalidArgument, mentions: "operations[1].chunks[0].vector[1]")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(text: "x", tokenCount: 1, provenance: p, vector: [.infinity, 0, 0])]),
                          code: .invalidArgument, mentions: "vector[0]")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(text: "x", tokenCount: 1, provenance: p, vector: [1, 0])]),
                          code: .invalidArgument, mentions: "expected 3")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(text: "", tokenCount: 0, provenance: p)]),
                          code: .invalidArgument, mentions: "chunks[0].text is empty")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(text: String(repeating: "a", count: 1001), tokenCount: 1, provenance: p)]),
                          code: .resourceExhausted, mentions: "chunks[0].text is 1001 bytes")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(utf8: [0x61, 0xC3, 0x28], tokenCount: 1, provenance: p)]),
                          code: .invalidArgument, mentions: "not valid UTF-8")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "", chunks: [ChunkInput(text: "x", tokenCount: 1, provenance: p)]),
                          code: .invalidArgument, mentions: "operations[1].documentID")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: []), code: .invalidArgument, mentions: "chunks is empty")
        try expectRefused(tier, .putDocument(namespace: "ns", documentID: "d", chunks: [ChunkInput(text: "x", tokenCount: 1, provenance: p, vector: [70000, 0, 0])]),
                          code: .invalidArgument, mentions: "FP16")
        // Still fully usable afterwards.
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "ok", ["good"], vectors: [[1, 0, 0]])]))
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of("good"))).text == "good")
    }

    @Test("settings the engine cannot run with are refused at open, naming the field")
    func badSettings() throws {
        let dir = StoreTestData.temporaryDirectory("badsettings")
        defer { StoreTestData.removeDirectory(dir) }
        let cases: [(PersistentSettings, String)] = [
            (PersistentSettings(maxChunkBytes: 0), "persistent.maxChunkBytes"),
            (PersistentSettings(walFlushBytes: 10), "persistent.walFlushBytes"),
            (PersistentSettings(compactionGarbageRatio: 1.5), "persistent.compactionGarbageRatio"),
            (PersistentSettings(compactionMaxSegments: 0), "persistent.compactionMaxSegments"),
            (PersistentSettings(fsyncPolicy: .interval(milliseconds: -1)), "persistent.fsyncPolicy"),
        ]
        for (settings, field) in cases {
            let error = #expect(throws: StrataError.self) { _ = try PersistentTier.open(directory: dir + "/x", settings: settings) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix(field) == true, "\(String(describing: error))")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x"))
    }
}
