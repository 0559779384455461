import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

private func put(_ sequence: UInt64, _ id: String, _ texts: [String], vector: [Float] = []) -> StrataWire.SlotWrite {
    let chunks = texts.enumerated().map { ordinal, text in
        ChunkMessage(namespace: "docs", contentHash: ContentHash.of(text),
                     provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1),
                     ordinal: UInt32(ordinal), text: text, tokenCount: UInt32(text.count / 4 + 1), vector: vector)
    }
    return StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .put(PutDocument(documentID: id, chunks: chunks)))
}

@Suite(.serialized) struct WorkerSlotTests {
    @Test func writesAreDurableIdempotentAndStreamable() async throws {
        let worker = try WorkerUnderTest()
        let response = try await worker.apply(7, [
            put(1, "a.py", ["def a(): pass", "def b(): return 1"]),
            put(2, "b.md", ["# Title\nSome prose."]),
            StrataWire.SlotWrite(sequence: 3, namespace: "docs", operation: .deleteDocument(id: "a.py")),
        ])
        #expect(response.durableSequence == 3)
        #expect(response.duplicates == 0)

        // A re-sent write is acknowledged, not applied twice.
        let again = try await worker.apply(7, [put(2, "b.md", ["# Title\nSome prose."])])
        #expect(again.durableSequence == 3)
        #expect(again.duplicates == 1)
        #expect(try await worker.slotSequence(7) == 3)

        // The stream carries the slot's state, not its history: a.py was put and deleted, so
        // only its deletion marker travels (a replica must learn that it is gone).
        let all = try await worker.stream(7, after: 0)
        #expect(all.count == 4)  // the bytes to come, two writes, the end
        if case .totalBytes(let total) = all.first {
            #expect(total == all.dropFirst().reduce(UInt64(0)) { sum, record in
                if case .write = record { return sum + UInt64(record.serializedBytes().count) }
                return sum
            })
        } else {
            Issue.record("expected the byte total first, got \(String(describing: all.first))")
        }
        if case .write(let first) = all.dropFirst().first, case .put(let document) = first.operation {
            #expect(document.documentID == "b.md")
        } else {
            Issue.record("expected b.md's put first, got \(String(describing: all.first))")
        }
        #expect(all.last == .endSequence(3))
        let delta = try await worker.stream(7, after: 2)
        #expect(delta.count == 3)
        guard case .write(let deletion) = delta.dropFirst().first else { Issue.record("expected a write"); return }
        #expect(deletion.operation == .deleteDocument(id: "a.py"))

        // A second worker built from the stream holds the same slot, across a restart.
        let replica = try WorkerUnderTest()
        let writes = all.compactMap { record -> StrataWire.SlotWrite? in
            if case .write(let write) = record { return write }
            return nil
        }
        #expect(try await replica.apply(7, writes).durableSequence == 3)
        let directory = replica.directory
        await replica.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        #expect(try await restarted.slotSequence(7) == 3)
        #expect(try await restarted.stream(7, after: 0) == all)
        await restarted.destroy()
        await worker.destroy()
    }

    @Test func badWritesAreRefusedAndChangeNothing() async throws {
        let worker = try WorkerUnderTest()
        _ = try await worker.apply(3, [put(1, "ok.txt", ["fine"], vector: [0.1, 0.2])])
        let error = await #expect(throws: RPCError.self) {
            _ = try await worker.apply(3, [put(2, "bad.txt", ["nan inside"], vector: [.nan, 0.2])])
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await worker.slotSequence(3) == 1)
        #expect(try await worker.stream(3, after: 1) == [.totalBytes(0), .endSequence(1)])
        await worker.destroy()
    }

    @Test func aReplicaThatMissedAnAcknowledgedWriteRefusesLaterOnes() async throws {
        let worker = try WorkerUnderTest()
        _ = try await worker.apply(4, [put(1, "a.txt", ["first"])])
        // The coordinator knows sequence 3 is durable elsewhere: this worker (at 1) missed it.
        let error = await #expect(throws: RPCError.self) {
            _ = try await worker.channel.unary(MethodPath.workerApplyWrites, ApplyWritesRequest(
                slot: 4, writes: [put(4, "b.txt", ["later"])], requiredSequence: 3).serializedBytes())
        }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains("behind") == true)
        #expect(try await worker.slotSequence(4) == 1)
        await worker.destroy()
    }
}
