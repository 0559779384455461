// Child process of the crash test (Tests/StrataStoreTests/CrashTests.swift).
//
// Usage: strata-store-crash-child <data directory> <slots>
// Opens the store (recovering it), then writes batches forever, round-robin over the
// slots, and prints "ACK <slot> <sequence>" after each batch is acknowledged (durable).
// Batch <slot, seq> puts document "s<slot>-n<seq>" (1-3 chunks, texts from `CrashText`)
// with metadata slot=<slot>, seq=<seq>, and overwrites "s<slot>-hot" with one chunk naming
// <seq> and metadata at=<seq>. Every 25 batches it closes the store (which flushes the
// memtable into a segment) and opens it again, so that kills also land in the flush a clean
// stop does. The parent kills it with SIGKILL and checks what survived.
import Foundation
import StrataCore
import StrataStore

/// Deterministic texts; a copy of this lives in CrashTests.swift (tests can't import an executable).
enum CrashText {
    static func chunkCount(slot: UInt32, seq: UInt64) -> Int { Int((seq &* 31 &+ UInt64(slot)) % 3) + 1 }
    static func text(slot: UInt32, seq: UInt64, chunk: Int) -> String {
        let filler = String(repeating: "payload-\(slot)-\(seq)-\(chunk) ", count: Int((seq &* 7 &+ UInt64(chunk)) % 40) + 1)
        return "slot \(slot) seq \(seq) chunk \(chunk): " + filler
    }
    static func hot(slot: UInt32, seq: UInt64) -> String { "hot document of slot \(slot) at sequence \(seq)" }
    static func metadata(slot: UInt32, seq: UInt64) -> [(key: String, value: String)] { [("slot", "\(slot)"), ("seq", "\(seq)")] }
}

let args = CommandLine.arguments
guard args.count == 3, let slots = UInt32(args[2]) else {
    FileHandle.standardError.write("usage: strata-store-crash-child <dir> <slots>\n".data(using: .utf8)!)
    exit(2)
}
/// One write(2) per line: unbuffered, so a line the parent sees was really reported.
func report(_ line: String) { FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!) }
let settings = PersistentSettings(fsyncPolicy: .perBatch, walFlushBytes: 48 << 10, compactionMaxSegments: 3)
func openTier() -> PersistentTier {
    do {
        return try PersistentTier.open(directory: args[1], settings: settings)
    } catch {
        FileHandle.standardError.write("open failed: \(error)\n".data(using: .utf8)!)
        exit(3)
    }
}
var tier = openTier()
report("READY")
var slot: UInt32 = 0
var batches = 0
while true {
    batches += 1
    if batches % 25 == 0 {
        tier.close()
        tier = openTier()
    }
    let seq = tier.lastSequence(of: slot) + 1
    var chunks: [ChunkInput] = []
    for c in 0..<CrashText.chunkCount(slot: slot, seq: seq) {
        let text = CrashText.text(slot: slot, seq: seq, chunk: c)
        chunks.append(ChunkInput(text: text, tokenCount: text.utf8.count / 4,
                                 provenance: ChunkProvenance(documentID: "s\(slot)-n\(seq)", byteStart: c, byteEnd: c + 1, lineStart: 1, lineEnd: 1)))
    }
    let hot = CrashText.hot(slot: slot, seq: seq)
    let metadata: DocumentMetadata
    let hotMetadata: DocumentMetadata
    do {
        metadata = try DocumentMetadata(validating: CrashText.metadata(slot: slot, seq: seq), field: "metadata")
        hotMetadata = try DocumentMetadata(validating: [("at", "\(seq)")], field: "metadata")
    } catch {
        FileHandle.standardError.write("metadata refused: \(error)\n".data(using: .utf8)!)
        exit(5)
    }
    let write = SlotWrite(slot: slot, sequence: seq, operations: [
        .putDocument(namespace: "crash", documentID: "s\(slot)-n\(seq)", chunks: chunks, metadata: metadata),
        .putDocument(namespace: "crash", documentID: "s\(slot)-hot", chunks: [
            ChunkInput(text: hot, tokenCount: 10, provenance: ChunkProvenance(documentID: "s\(slot)-hot", byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1)),
        ], metadata: hotMetadata),
    ])
    do {
        try tier.apply(write)
    } catch {
        FileHandle.standardError.write("apply failed: \(error)\n".data(using: .utf8)!)
        exit(4)
    }
    report("ACK \(slot) \(seq)")
    slot = (slot + 1) % slots
}
