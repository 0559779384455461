import StrataCore
import Testing

@testable import StrataCluster

@Suite("SlotHasher")
struct SlotHasherTests {
    @Test("FNV-1a core matches the published test vectors")
    func fnvVectors() {
        // FNV-1a 64 of "" and "a" (from the FNV reference), before the finalizer.
        var empty = StableHasher()
        empty.combine(utf8: "")
        #expect(StableHasher.fmix64(0xcbf2_9ce4_8422_2325) == empty.finalize())
        var a = StableHasher()
        a.combine(utf8: "a")
        #expect(a.finalize() == StableHasher.fmix64(0xaf63_dc4c_8601_ec8c))
    }

    @Test("slot hashes are fixed forever (computed independently in Python)")
    func fixedValues() throws {
        #expect(SlotHasher.hash(namespace: "default", documentID: "README.md") == 0x7f4c_70df_ced9_71e6)
        #expect(SlotHasher.hash(namespace: "agent-7", documentID: "src/main.swift") == 0x9638_48fe_3fd9_e140)
        #expect(SlotHasher.hash(namespace: "", documentID: "") == 0x1bbd_5c81_3c69_a8d7)
        #expect(SlotHasher.hash(namespace: "ns", documentID: "données/é.txt") == 0xe290_2b14_89b9_803b)
        let hasher = try SlotHasher(slotCount: 256)
        #expect(hasher.slot(namespace: "default", documentID: "README.md") == 230)
        #expect(hasher.slot(namespace: "agent-7", documentID: "src/main.swift") == 64)
        #expect(hasher.slot(namespace: "", documentID: "") == 215)
        #expect(hasher.slot(namespace: "ns", documentID: "données/é.txt") == 59)
    }

    @Test("placement pair hashes are fixed forever")
    func fixedPairValues() {
        #expect(Placement.pairHash(slot: 0, worker: "w1") == 0x6fc1_c6f6_f8fa_62d5)
        #expect(Placement.pairHash(slot: 255, worker: "worker-b") == 0x9abe_db0a_9ccc_ca88)
    }

    @Test("the separator keeps field boundaries apart")
    func separator() {
        #expect(SlotHasher.hash(namespace: "ab", documentID: "c") != SlotHasher.hash(namespace: "a", documentID: "bc"))
    }

    @Test("documents spread evenly over slots")
    func spread() throws {
        let hasher = try SlotHasher(slotCount: 64)
        var counts = Array(repeating: 0, count: 64)
        for i in 0..<64_000 { counts[hasher.slot(namespace: "repo", documentID: "src/file\(i).swift")] += 1 }
        // 1000 expected per slot; a 20% band is > 6 standard deviations.
        #expect(counts.allSatisfy { (800...1200).contains($0) }, "\(counts)")
    }

    @Test("a slot count out of range is refused, naming the field")
    func badSlotCount() {
        #expect(throws: StrataError.invalidArgument("slots: 0 is out of range; a cluster has 1...65536 slots")) {
            try SlotHasher(slotCount: 0)
        }
        #expect(throws: StrataError.self) { try SlotHasher(slotCount: 1 << 17) }
    }
}
