// Child process of the crash test (Tests/StrataStoreTests/CrashTests.swift).
//
// Usage: strata-store-crash-child <data directory> <slots> [writers]
// Opens the store (recovering it), then writes batches forever, round-robin over the
// slots, and prints "ACK <slot> <sequence>" after each batch is acknowledged (durable).
// With writers > 1, that many threads write at once, thread w taking the slots s with
// s % writers == w (so the group commit batches their frames into shared fsyncs).
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
guard args.count == 3 || args.count == 4, let slots = UInt32(args[2]), let writers = UInt32(args.count == 4 ? args[3] : "1"),
      writers >= 1, writers <= slots else {
    FileHandle.standardError.write("usage: strata-store-crash-child <dir> <slots> [writers <= slots]\n".data(using: .utf8)!)
    exit(2)
}

enum CrashChild {
    static let directory = CommandLine.arguments[1]
    static let settings = PersistentSettings(fsyncPolicy: .perBatch, walFlushBytes: 48 << 10, compactionMaxSegments: 3)

    /// One write(2) per line: unbuffered, so a line the parent sees was really reported.
    static func report(_ line: String) { FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!) }

    static func openTier() -> PersistentTier {
        do {
            return try PersistentTier.open(directory: directory, settings: settings)
        } catch {
            FileHandle.standardError.write("open failed: \(error)\n".data(using: .utf8)!)
            exit(3)
        }
    }

    static func write(slot: UInt32, seq: UInt64, to tier: PersistentTier) {
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
            guard try tier.apply(write) == .applied else {
                FileHandle.standardError.write("batch \(slot)/\(seq) was not applied\n".data(using: .utf8)!)
                exit(6)
            }
        } catch {
            FileHandle.standardError.write("apply failed: \(error)\n".data(using: .utf8)!)
            exit(4)
        }
    }
}

/// The open store: writers share it (read lock); the close and reopen every 25 batches
/// takes it alone (write lock).
final class SharedTier: @unchecked Sendable {
    private var lock = pthread_rwlock_t()
    private var tier: PersistentTier
    private var batches = 0
    private let counter = NSLock()

    init(_ tier: PersistentTier) {
        self.tier = tier
        pthread_rwlock_init(&lock, nil)
    }

    func use<T>(_ body: (PersistentTier) -> T) -> T {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return body(tier)
    }

    /// Counts a batch; every 25th closes and reopens the store.
    func countBatch() {
        let reopen = counter.withLock { () -> Bool in
            batches += 1
            return batches % 25 == 0
        }
        guard reopen else { return }
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        tier.close()
        tier = CrashChild.openTier()
    }
}

let shared = SharedTier(CrashChild.openTier())
CrashChild.report("READY")
let threads = (0..<writers).map { [slots, writers, shared] w in
    Thread { [slots, writers, shared] in
        let mine = (0..<slots).filter { $0 % writers == w }
        var turn = 0
        while true {
            let slot = mine[turn % mine.count]
            turn += 1
            let seq = shared.use { tier in
                let seq = tier.lastSequence(of: slot) + 1
                CrashChild.write(slot: slot, seq: seq, to: tier)
                return seq
            }
            CrashChild.report("ACK \(slot) \(seq)")
            shared.countBatch()
        }
    }
}
for thread in threads { thread.start() }
while true { sleep(60) }
