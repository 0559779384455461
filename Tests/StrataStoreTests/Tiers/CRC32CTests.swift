import Testing
@testable import StrataStore

@Suite("CRC32C")
struct CRC32CTests {
    @Test("Matches the standard check value and known vectors")
    func knownValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test("A running checksum equals the checksum of the concatenation, at every split")
    func chaining() {
        var rng = SeededGenerator(seed: 42)
        let bytes = (0..<257).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32C.checksum(bytes)
        for split in [0, 1, 7, 8, 9, 100, 256, 257] {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(CRC32C.checksum(Array(bytes[split...]), seed: first) == whole)
        }
    }

    @Test("A single flipped bit changes the checksum")
    func detectsBitFlip() {
        var bytes = Array("the warm tier never serves a damaged entry".utf8)
        let before = CRC32C.checksum(bytes)
        bytes[13] ^= 0x10
        #expect(CRC32C.checksum(bytes) != before)
    }
}
