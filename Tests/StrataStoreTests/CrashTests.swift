import Foundation
import StrataCore
import Testing
@testable import StrataStore

/// Copy of the child's deterministic texts (Tests/StrataStoreCrashChild/main.swift).
private enum CrashText {
    static func chunkCount(slot: UInt32, seq: UInt64) -> Int { Int((seq &* 31 &+ UInt64(slot)) % 3) + 1 }
    static func text(slot: UInt32, seq: UInt64, chunk: Int) -> String {
        let filler = String(repeating: "payload-\(slot)-\(seq)-\(chunk) ", count: Int((seq &* 7 &+ UInt64(chunk)) % 40) + 1)
        return "slot \(slot) seq \(seq) chunk \(chunk): " + filler
    }
    static func hot(slot: UInt32, seq: UInt64) -> String { "hot document of slot \(slot) at sequence \(seq)" }
    static func metadata(slot: UInt32, seq: UInt64) -> [String: String] { ["slot": "\(slot)", "seq": "\(seq)"] }
}

@Suite("Crash test: SIGKILL during continuous writes")
struct CrashTests {
    /// Where the child binary is: `STRATA_BIN_DIR`, next to the test binary, or the package's `.build/debug`.
    static func childBinary() -> String? {
        let name = "strata-store-crash-child"
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["STRATA_BIN_DIR"] { candidates.append(dir) }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(argv0.deletingLastPathComponent().path)
        candidates.append(argv0.deletingLastPathComponent().deletingLastPathComponent().path)
        if let exe = Bundle.main.executablePath { candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path) }
        candidates.append(URL(fileURLWithPath: Bundle.main.bundlePath).deletingLastPathComponent().path)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug").path)
        return candidates.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// With 2 writers the child writes 4 slots from two threads at once, so kills land
    /// while the group commit's leader writes several writers' frames outside the lock.
    @Test("every acknowledged batch survives SIGKILL, nothing unacknowledged is half-visible", arguments: [1, 2])
    func killLoop(writers: Int) throws {
        let binary = try #require(Self.childBinary(), "strata-store-crash-child not found; build it or set STRATA_BIN_DIR")
        let seed = ProcessInfo.processInfo.environment["STRATA_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("CrashTests writers=\(writers) seed=\(seed) (rerun with STRATA_CRASH_SEED=\(seed))")
        var rng = SeededGenerator(seed: seed)
        let dir = StoreTestData.temporaryDirectory("crash")
        defer { StoreTestData.removeDirectory(dir) }
        let slots: UInt32 = writers == 1 ? 3 : 4
        var acked: [UInt32: UInt64] = [:]   // highest acknowledged sequence per slot
        var totalAcks = 0
        var tornRepairs = 0
        for round in 0..<50 {
            let child = try SpawnedChild(path: binary, arguments: [dir, String(slots), String(writers)])
            let delay = Double.random(in: 0.005...0.12, using: &rng)
            Thread.sleep(forTimeInterval: delay)
            let (killed, output) = child.killAndCollect()
            #expect(killed, "round \(round): child exited by itself, seed=\(seed)")
            // Only complete lines count: a line cut by the kill was not reported.
            for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast() where line.hasPrefix("ACK ") {
                let parts = line.split(separator: " ")
                let slot = UInt32(parts[1])!, seq = UInt64(parts[2])!
                acked[slot] = max(acked[slot] ?? 0, seq)
                totalAcks += 1
            }

            let tier = try PersistentTier.open(directory: dir)
            tornRepairs += tier.recoveryReport.tornTails.count
            for slot in 0..<slots {
                let last = tier.lastSequence(of: slot)
                let mustHave = acked[slot] ?? 0
                #expect(last >= mustHave, "round \(round) slot \(slot): acknowledged up to \(mustHave), store has \(last), seed=\(seed)")
                // Every batch up to `last` is whole; nothing beyond it is visible.
                for seq in 1...max(1, last + 2) where seq <= last + 2 {
                    let refs = tier.documentChunks(namespace: "crash", documentID: "s\(slot)-n\(seq)")
                    if seq <= last {
                        let expected = (0..<CrashText.chunkCount(slot: slot, seq: seq)).map { CrashText.text(slot: slot, seq: seq, chunk: $0) }
                        #expect(refs?.map(\.hash) == expected.map { ContentHash.of($0) }, "round \(round): batch \(slot)/\(seq) incomplete, seed=\(seed)")
                        // The metadata comes back with the document, through WAL replay, flushes and compactions.
                        #expect(tier.documentMetadata(namespace: "crash", documentID: "s\(slot)-n\(seq)")?.dictionary == CrashText.metadata(slot: slot, seq: seq),
                                "round \(round): batch \(slot)/\(seq) metadata, seed=\(seed)")
                    } else {
                        #expect(refs == nil, "round \(round): batch \(slot)/\(seq) beyond the last sequence is visible, seed=\(seed)")
                    }
                }
                if last > 0 {
                    // Bytes, not just hashes: the hot document and the newest batches read back identical.
                    let hot = try #require(tier.documentChunks(namespace: "crash", documentID: "s\(slot)-hot"))
                    #expect(try hot.map { try tier.read($0).text } == [CrashText.hot(slot: slot, seq: last)], "seed=\(seed)")
                    #expect(tier.documentMetadata(namespace: "crash", documentID: "s\(slot)-hot")?.dictionary == ["at": "\(last)"], "seed=\(seed)")
                    for seq in (last > 3 ? last - 3 : 1)...last {
                        for (c, ref) in (tier.documentChunks(namespace: "crash", documentID: "s\(slot)-n\(seq)") ?? []).enumerated() {
                            #expect(try tier.read(ref).text == CrashText.text(slot: slot, seq: seq, chunk: c), "seed=\(seed)")
                        }
                    }
                }
            }
            tier.close()
        }
        print("CrashTests (\(writers) writer(s)): 50 rounds, \(totalAcks) acknowledged batches, \(tornRepairs) torn tails repaired, last sequences \(acked.sorted { $0.key < $1.key })")
        #expect(totalAcks > 50, "the child barely wrote; the test proves little (seed=\(seed))")
    }
}
