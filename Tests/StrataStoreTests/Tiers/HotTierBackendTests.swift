import StrataCore
import Testing
@testable import StrataStore

/// A test double around `HostMemoryBackend` that counts live blocks and can refuse allocations.
final class RecordingHotBackendDouble: HotTierBackend {
    let name = "recording-double"
    private let host = HostMemoryBackend()
    var live: Set<UInt64> = []
    var refuseAllocations = false

    func allocate(byteCount: Int) throws(StrataError) -> HotBlock {
        if refuseAllocations { throw .resourceExhausted("double: device full") }
        let block = try host.allocate(byteCount: byteCount)
        live.insert(block.address)
        return block
    }

    func store(_ bytes: UnsafeRawBufferPointer, into block: HotBlock) { host.store(bytes, into: block) }
    func load(_ block: HotBlock, into destination: UnsafeMutableRawBufferPointer) { host.load(block, into: destination) }

    func free(_ block: HotBlock) {
        precondition(live.remove(block.address) != nil, "double free")
        host.free(block)
    }
}

@Suite("Hot tier backend")
struct HotTierBackendTests {
    typealias F = TierFixtures

    @Test("The hot tier frees every block it allocates: evictions, removals, close")
    func freesEveryBlock() {
        let backend = RecordingHotBackendDouble()
        let hot = HotTier(settings: F.settings(tokens: 50), backend: backend)
        for i in 0..<20 { _ = hot.insert(TierChunk(F.chunk(i))) }
        #expect(backend.live.count == 5)
        hot.remove(F.key(19))
        #expect(backend.live.count == 4)
        #expect(hot.drain().map(\.key) == [15, 16, 17, 18].map(F.key))
        #expect(backend.live.isEmpty)
        #expect(hot.stats().backend == "recording-double")
    }

    @Test("A full device sends the chunk to the next tier instead of failing")
    func deviceFullFallsThrough() throws {
        let segment = F.uniqueSegmentName("devicefull")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let backend = RecordingHotBackendDouble()
        backend.refuseAllocations = true
        let tiers = try TierHierarchy(
            hot: F.settings(), warm: F.settings(), cold: F.settings(precision: .float16, eviction: .fifo),
            hotBackend: backend, warmSegmentName: segment, epoch: 1, isValidKey: { _ in true })
        tiers.admit(F.chunk(0))
        #expect(F.tierHolding(F.key(0), in: tiers) == .warm)
    }

    @Test("The host backend copies bytes in and out unchanged")
    func hostRoundTrip() throws {
        let host = HostMemoryBackend()
        let block = try host.allocate(byteCount: 16)
        defer { host.free(block) }
        let input: [UInt8] = Array(0..<16)
        input.withUnsafeBytes { host.store($0, into: block) }
        var output = [UInt8](repeating: 0, count: 16)
        output.withUnsafeMutableBytes { host.load(block, into: $0) }
        #expect(output == input)
        #expect(host.name == "host")
        #expect(throws: StrataError.self) { try host.allocate(byteCount: -1) }
    }
}
