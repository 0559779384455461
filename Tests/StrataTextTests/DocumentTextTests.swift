import StrataCore
import Testing
@testable import StrataText

struct DocumentTextTests {
    @Test func reassemblySkipsChunkOverlapAndFollowsUnknownRanges() {
        let text = "line one\nline two\nline three\n"
        let bytes = Array(text.utf8)
        // Chunks [0, 14) and [9, 29): the second repeats "line " from the first.
        let pieces = [DocumentText.Piece(text: String(decoding: bytes[0..<14], as: UTF8.self), byteStart: 0, byteEnd: 14),
                      DocumentText.Piece(text: String(decoding: bytes[9..<29], as: UTF8.self), byteStart: 9, byteEnd: 29)]
        #expect(DocumentText.reassemble(pieces) == text)
        #expect(DocumentText.reassemble([.init(text: "ab", byteStart: 0, byteEnd: 0), .init(text: "cd", byteStart: 0, byteEnd: 0)]) == "abcd")
    }

    @Test func lineRangesAreInclusiveAndCutAtTheByteLimit() throws {
        let text = "a\nbb\nccc\ndddd"
        let all = try DocumentText.lines(of: text, from: 1, through: nil, maxBytes: 1 << 20)
        #expect(all == DocumentText.Lines(text: text, lineStart: 1, lineEnd: 4, totalLines: 4, truncated: false))
        let middle = try DocumentText.lines(of: text, from: 2, through: 3, maxBytes: 1 << 20)
        #expect(middle.text == "bb\nccc\n" && middle.lineEnd == 3)
        let past = try DocumentText.lines(of: text, from: 3, through: 99, maxBytes: 1 << 20)
        #expect(past.text == "ccc\ndddd" && past.lineEnd == 4 && !past.truncated)
        let cut = try DocumentText.lines(of: text, from: 1, through: nil, maxBytes: 5)
        #expect(cut.text == "a\nbb\n" && cut.lineEnd == 2 && cut.truncated)
        let oneLong = try DocumentText.lines(of: text, from: 4, through: nil, maxBytes: 1)
        #expect(oneLong.text == "dddd" && !oneLong.truncated)  // at least one line, even if longer
        #expect(throws: (any Error).self) { try DocumentText.lines(of: text, from: 5, through: nil, maxBytes: 10) }
        #expect(throws: (any Error).self) { try DocumentText.lines(of: text, from: 3, through: 2, maxBytes: 10) }
    }
}
