import Foundation
import StrataCore
@testable import StrataNode
import StrataWire
import Testing

/// The worker's vector list comes from one INT8 candidate pool over every slot's shard; the
/// best hits crowded in one slot must all be found. (The shallow first ask checked below is
/// what the lexical lists use.)
@Suite(.serialized) struct WorkerVectorDepthTests {
    private func put(_ sequence: UInt64, _ id: String, _ vector: [Float]) -> StrataWire.SlotWrite {
        let text = "chunk of \(id)"
        let chunk = ChunkMessage(namespace: "docs", contentHash: ContentHash.of(text),
                                 provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1),
                                 ordinal: 0, text: text, tokenCount: 4, vector: vector)
        return StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .put(PutDocument(documentID: id, chunks: [chunk])))
    }

    @Test func theBestHitsCrowdedInOneSlotAreAllFound() async throws {
        let worker = try WorkerUnderTest()
        // Slot 1 holds the 30 nearest documents; slots 2...21 one far document each.
        for i in 0..<30 {
            try await worker.apply(1, [put(UInt64(i + 1), "near-\(i)", [1, Float(i) * 0.02, 0, 0])])
        }
        for slot in 2...21 {
            try await worker.apply(UInt32(slot), [put(1, "far-\(slot)", [0.2, 1, Float(slot) * 0.01, 0])])
        }
        let slots = (1...21).map(UInt32.init)
        let found = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: slots, vector: [1, 0, 0, 0], mode: .vector, topK: 25))
        #expect(found.candidates.count == 25)
        #expect(found.candidates.map(\.chunk.provenance.documentID) == (0..<25).map { "near-\($0)" })
        #expect(found.candidates.map(\.vectorRank) == (1...25).map(UInt32.init))
        // Asking past everything returns everything, best first.
        let all = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: slots, vector: [1, 0, 0, 0], mode: .vector, topK: 50))
        #expect(all.candidates.count == 50)
        #expect(Array(all.candidates.map(\.chunk.provenance.documentID).prefix(30)) == (0..<30).map { "near-\($0)" })
        await worker.destroy()
    }
}
