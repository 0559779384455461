import Testing
@testable import StrataStore

@Suite("CRC32C")
struct CRC32CTests {
    @Test("Matches the standard check value and known vectors")
    func knownValues() {
        #expect(Checksum.crc32c(Array("123456789".utf8)) == 0xE306_9283)
        #expect(Checksum.crc32c([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(Checksum.crc32c([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(Checksum.crc32c([]) == 0)
    }

    @Test("A running checksum equals the checksum of the concatenation, at every split")
    func chaining() {
        var rng = SeededGenerator(seed: 42)
        let bytes = (0..<257).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = Checksum.crc32c(bytes)
        for split in [0, 1, 7, 8, 9, 100, 256, 257] {
            let first = Checksum.crc32c(Array(bytes[..<split]))
            #expect(Checksum.crc32c(Array(bytes[split...]), seed: first) == whole)
        }
    }

    @Test("A single flipped bit changes the checksum")
    func detectsBitFlip() {
        var bytes = Array("the warm tier never serves a damaged entry".utf8)
        let before = Checksum.crc32c(bytes)
        bytes[13] ^= 0x10
        #expect(Checksum.crc32c(bytes) != before)
    }
}
