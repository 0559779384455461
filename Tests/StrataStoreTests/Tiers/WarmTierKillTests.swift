import Foundation
import StrataCore
import Testing
@testable import StrataStore

/// The warm tier under real process death: a child process (this test binary, running only
/// `childWritesUntilKilled`) admits, removes and reads continuously and is killed with SIGKILL at
/// a random moment; the parent then reattaches the shared memory and checks that every entry it
/// restores is exactly what was written for its key. Nothing half-written may be served.
@Suite("Warm tier: SIGKILL during writes")
struct WarmTierKillTests {
    typealias F = TierFixtures
    static let childSegmentVariable = "STRATA_WARM_KILL_CHILD_SEGMENT"
    static let childStartVariable = "STRATA_WARM_KILL_CHILD_START"
    static let warm = F.settings(bytes: 512 << 10, tokens: 1_000_000)

    /// What the child writes under key `i` (the parent recomputes it to compare).
    static func expected(_ i: Int) -> CachedChunk {
        F.chunk(i, textBytes: 16 + (i &* 7919) % 3000, tokens: 1 + i % 50, dimension: 64)
    }

    static func open(segment: String) throws(StrataError) -> TierHierarchy {
        try F.hierarchy(
            hot: F.disabled, warm: warm, cold: F.disabled, segment: segment, epoch: 11,
            isValidKey: { $0 == F.key(Int(truncatingIfNeeded: $0.low)) })
    }

    /// The child's role. Enabled only in the process the parent spawns.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childSegmentVariable] != nil))
    func childWritesUntilKilled() throws {
        let environment = ProcessInfo.processInfo.environment
        let segment = try #require(environment[Self.childSegmentVariable])
        let start = Int(environment[Self.childStartVariable] ?? "0") ?? 0
        let tiers = try Self.open(segment: segment)
        FileHandle.standardOutput.write(Data("READY\n".utf8))  // unbuffered, so the parent sees it now
        var rng = SeededGenerator(seed: UInt64(start))
        var next = start
        let deadline = ContinuousClock.now + .seconds(20)  // a safety net if the parent dies
        while ContinuousClock.now < deadline {
            tiers.admit(Self.expected(next))
            next += 1
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: tiers.remove(F.key(Int.random(in: start..<next, using: &rng)))
            case 1, 2: _ = tiers.lookup(F.key(Int.random(in: start..<next, using: &rng)))
            default: break
            }
        }
    }

    @Test("Entries of a process killed mid-write are restored exactly or discarded")
    func killLoop() throws {
        let seed = ProcessInfo.processInfo.environment["STRATA_WARM_KILL_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 0...UInt64.max)
        print("WarmTierKillTests seed=\(seed) (rerun with STRATA_WARM_KILL_SEED=\(seed))")
        var rng = SeededGenerator(seed: seed)
        let segment = F.uniqueSegmentName("kill")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var restoredTotal = 0
        var discardedTotal = 0
        let rounds = 25
        for round in 0..<rounds {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: binary)
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childWritesUntilKilled"]
            var environment = ProcessInfo.processInfo.environment
            environment[Self.childSegmentVariable] = segment
            environment[Self.childStartVariable] = String(round * 1_000_000)
            child.environment = environment
            let output = Pipe()
            child.standardOutput = output
            child.standardError = FileHandle.nullDevice
            try child.run()
            var seen = ""
            while !seen.contains("READY") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                seen += String(decoding: data, as: UTF8.self)
            }
            try #require(seen.contains("READY"), "round \(round): child did not start (seed \(seed)): \(seen)")
            Thread.sleep(forTimeInterval: Double.random(in: 0.002...0.15, using: &rng))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): child exited by itself (seed \(seed))")

            let tiers = try Self.open(segment: segment)
            #expect(tiers.warmRecovery.start == .reattached, "round \(round), seed \(seed)")
            restoredTotal += tiers.warmRecovery.restoredEntries
            discardedTotal += tiers.warmRecovery.discardedEntries
            let wrong = tiers.inspect { tiers in
                tiers.warm.keys.filter { key in
                    let want = Self.expected(Int(key.low))
                    guard let got = tiers.warm.lookup(key, refresh: false) else { return true }
                    return got.text != want.text || got.tokenCount != want.tokenCount
                        || got.vector != Int8Vector(quantizing: want.vector!).dequantized()
                }.count
            }
            #expect(wrong == 0, "round \(round): \(wrong) restored entries differ from what was written (seed \(seed))")
            let stats = F.stats(tiers, .warm)
            #expect(stats.bytesUsed <= Self.warm.capacityBytes)
            tiers.close()
        }
        print("warm kill test: \(rounds) rounds, \(restoredTotal) entries restored and verified, \(discardedTotal) discarded")
        #expect(restoredTotal > 0)
    }
}
