import Testing
@testable import StrataText

/// Piece boundaries of the hand-written pre-tokenizers on cases where the regex alternatives
/// interact (known outputs of tiktoken's patterns).
@Suite struct PreTokenizerTests {
    func pieces<P: PreTokenizer>(_ text: String, _ pre: P) -> [String] {
        var out: [String] = []
        var copy = text
        copy.withUTF8 { buffer in
            pre.forEachPiece(buffer) { start, end in
                out.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
            }
        }
        return out
    }

    @Test func cl100kSplitsContractionsLettersDigitsAndSpaces() {
        #expect(pieces("I'm don't  hello 12345\n\n  x", CL100kPreTokenizer())
                == ["I", "'m", " don", "'t", " ", " hello", " ", "123", "45", "\n\n", " ", " x"])
    }

    @Test func cl100kTakesTrailingWhitespaceWhole() {
        #expect(pieces("a\n  ", CL100kPreTokenizer()) == ["a", "\n  "])
    }

    @Test func o200kSplitsCamelCaseAndKeepsTrailingNewlineApart() {
        #expect(pieces("HelloWorld HTTPServer a\n  ", O200kPreTokenizer())
                == ["Hello", "World", " HTTPServer", " a", "\n", "  "])
    }
}
