import Foundation
import StrataCore
import Testing
@testable import StrataStore

/// Damage libFuzzer found (fuzz-store) that trapped recovery instead of being reported.
@Suite("Recovery of damage found by fuzzing")
struct FuzzFoundRecoveryTests {
    /// A segment footer whose offset or count fields do not fit an Int (a flipped top bit)
    /// trapped in `Int(UInt64)` before the footer checksum was looked at: a worker with such
    /// a file crashed at every start. Now the segment is quarantined like any damaged one.
    @Test("a footer field beyond Int is quarantined, not a crash", arguments: [0, 8, 16])
    func footerFieldOutOfRange(field: Int) throws {
        let dir = StoreTestData.temporaryDirectory("footer")
        defer { StoreTestData.removeDirectory(dir) }
        var tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", [StoreTestData.text(1)])]))
        try tier.flush()
        tier.close()
        let segName = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".seg") })
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + segName)))
        bytes[bytes.count - SegmentFormat.footerSize + field + 7] |= 0x80
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + segName))

        tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        let quarantined = try #require(tier.recoveryReport.quarantined.first)
        #expect(quarantined.segment == segName)
        #expect(quarantined.reason.contains("footer checksum mismatch"))
    }
}
