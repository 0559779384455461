import StrataCore
import Testing
@testable import StrataStore

@Suite("WAL framing and scan")
struct WALScanTests {
    private func log(_ payloads: [[UInt8]]) -> [UInt8] {
        WALFrame.fileHeader(version: 1) + payloads.flatMap(WALFrame.encode)
    }

    @Test("frames are 8-byte aligned and round-trip")
    func frames() throws {
        let bytes = log([[1, 2, 3], Array(repeating: 9, count: 13)])
        #expect(bytes.count % 8 == 0)
        let scan = try WALScan.scan(bytes, path: "w", version: 1)
        #expect(scan.ending == .clean)
        #expect(scan.payloads.map { Array(bytes[$0]) } == [[1, 2, 3], Array(repeating: 9, count: 13)])
    }

    @Test("torn tail versus damage in the middle")
    func endings() throws {
        let good = log([[1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11]])
        let torn = good + Array(WALFrame.encode([5, 5, 5, 5, 5, 5, 5, 5, 5, 5])[0..<12])
        #expect(try WALScan.scan(torn, path: "w", version: 1).ending == .tornTail(offset: good.count))
        #expect(try WALScan.scan(good + [0, 0, 0, 0, 0, 0, 0, 0], path: "w", version: 1).ending == .tornTail(offset: good.count))
        var middle = good
        middle[WALFrame.fileHeaderSize + 9] ^= 1
        let scan = try WALScan.scan(middle, path: "w", version: 1)
        #expect(scan.ending == .corruptMiddle(offset: WALFrame.fileHeaderSize, nextValid: WALFrame.fileHeaderSize + 24))
        #expect(throws: StrataError.self) { _ = try WALScan.scan(good, path: "w", version: 2) }
    }
}
