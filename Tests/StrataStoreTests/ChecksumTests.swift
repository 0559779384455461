import CStrataSupport
import StrataCore
import Testing
@testable import StrataStore

@Suite("Checksums and codecs")
struct ChecksumTests {
    @Test("CRC32C matches the published check value, hardware and software agree")
    func crc32cCheckValue() {
        let check = Array("123456789".utf8)
        #expect(Checksum.crc32c(check) == 0xE306_9283)
        #expect(strata_crc32c_software(0, check, check.count) == 0xE306_9283)
        var random = [UInt8](repeating: 0, count: 10_007)
        var g = SystemRandomNumberGenerator()
        for i in random.indices { random[i] = UInt8.random(in: 0...255, using: &g) }
        #expect(strata_crc32c(0, random, random.count) == strata_crc32c_software(0, random, random.count))
        // Chaining equals one pass.
        let a = Checksum.crc32c(Array(random[0..<5000]))
        #expect(Checksum.crc32c(Array(random[5000...]), seed: a) == Checksum.crc32c(random))
    }

    @Test("The three-way hardware CRC32C equals the table at every length around its block sizes, any alignment and seed")
    func crc32cThreeWayBlocks() {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<(3 * 8192 * 2 + 3 * 256 * 2 + 64)).map { _ in UInt8.random(in: 0...255, using: &g) }
        // Lengths at and around one and two rounds of the long (3 × 8192) and short (3 × 256)
        // blocks, where the streams are joined, plus the tails after them.
        var lengths = Array(0..<40) + [767, 768, 769, 775, 776, 1535, 1536, 1537, 24_575, 24_576, 24_577, 24_583, 25_344, 25_345]
        lengths += [49_151, 49_152, 49_153, 49_152 + 768, 49_152 + 1536 + 7, bytes.count - 16]
        for length in lengths {
            for offset in [0, 1, 7] where offset + length <= bytes.count {
                let seed = UInt32.random(in: 0...UInt32.max, using: &g)
                bytes.withUnsafeBytes { raw in
                    let start = raw.baseAddress! + offset
                    #expect(strata_crc32c(seed, start, length) == strata_crc32c_software(seed, start, length), "length \(length), offset \(offset)")
                }
            }
        }
    }

    @Test("XXH3-128 is stable and namespace-mixed keys differ")
    func contentHash() {
        let a = ContentHash.of("hello")
        #expect(a == ContentHash.of(Array("hello".utf8)))
        #expect(a != ContentHash.of("hellp"))
        #expect(ContentHash.cacheKey(namespace: "x", text: a) != ContentHash.cacheKey(namespace: "y", text: a))
    }

    @Test("NamespaceKeyCache gives the same keys as ContentHash.cacheKey across namespace changes")
    func namespaceKeyCache() {
        var cache = NamespaceKeyCache()
        for (i, ns) in ["a", "a", "b", "a", "", "b", "b", "ünïcode"].enumerated() {
            let text = ContentHash.of("chunk \(i)")
            #expect(cache.key(namespace: ns, text: text) == ContentHash.cacheKey(namespace: ns, text: text))
        }
    }

    @Test("zstd round-trips and rejects damaged input")
    func zstdRoundTrip() throws {
        let text = Array(String(repeating: "func alpha() { return beta + gamma }\n", count: 100).utf8)
        let packed = ZstdCompressor().compress(text)
        #expect(packed.count < text.count / 4)
        let back = try ZstdDecompressor().decompress(packed[...], expectedSize: text.count, what: "test")
        #expect(back == text)
        var damaged = packed
        damaged[damaged.count / 2] ^= 0xFF
        damaged[4] ^= 0x55
        #expect(throws: StrataError.self) { _ = try ZstdDecompressor().decompress(damaged[...], expectedSize: text.count, what: "test") }
    }
}
