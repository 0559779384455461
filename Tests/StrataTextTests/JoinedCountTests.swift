import Foundation
import StrataCore
import Testing
@testable import StrataText

/// `countTokens(joining:)` gives exactly the count of the joined text (context assembly
/// sends it as the answer's token count and keeps the budget by it), on text built to put
/// every pre-tokenizer rule at the joins: line breaks, runs of spaces and tabs, CR, Unicode
/// spaces, punctuation before line breaks, `/` after them, contractions, digits, letters.
@Suite struct JoinedCountTests {
    let locator = VocabularyLocator.fromEnvironment()

    static let atoms = [
        "a", "Zq", "é", "中文", "😀", "1", "234", " ", "  ", "\t", "\n", "\n", "\r\n", "\r", "'s", "'", ")", ":", "#", "/",
        "\u{A0}", "\u{2028}", "\u{85}", "\u{0B}", " x", "    ", "\n    ", "def f():", "\n\n", " \n", "//", "...",
    ]

    static func randomText(_ random: inout SplitMix64, atoms count: Int) -> String {
        (0..<count).map { _ in atoms[Int(random.next() % UInt64(atoms.count))] }.joined()
    }

    /// Passages as context assembly renders them (a header line, the body without trailing
    /// line breaks), and free text that starts anywhere.
    static func parts(_ random: inout SplitMix64, rendered: Bool) -> [Substring] {
        (0..<(1 + Int(random.next() % 5))).map { i -> Substring in
            var body = randomText(&random, atoms: Int(random.next() % 40))
            if rendered {
                while let last = body.last, last == "\n" || last == "\r\n" { body.removeLast() }
                return Substring("### doc-\(i).py:L1-L9\n" + body)
            }
            return Substring(body)
        }
    }

    @Test(arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func joinedCountIsTheCountOfTheJoinedText(_ encoding: TiktokenEncoding) throws {
        let tokenizer = try TokenizerRegistry.loadBPE(encoding, locator: locator)
        var random = SplitMix64(seed: 19)
        for round in 0..<4000 {
            let parts = Self.parts(&random, rendered: round % 4 != 0)
            for separator in ["\n\n", "\n", " \n", "\n---\n", " "] {
                let joined = tokenizer.countTokens(joining: parts, partTokens: parts.map { tokenizer.countTokens($0) }, separator: separator)
                let direct = tokenizer.countTokens(parts.joined(separator: separator))
                #expect(joined == direct, "\(encoding.name) \(parts.map { String($0) }) joined by \(separator.debugDescription)")
                if joined != direct { return }
            }
        }
    }

    @Test func adversarialStringsJoinExactly() throws {
        let tokenizer = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        let parts = AdversarialStrings.all.map { Substring("### a.txt:L1-L2\n" + $0) }
        for window in 0..<(parts.count - 2) {
            let some = Array(parts[window..<(window + 3)])
            #expect(tokenizer.countTokens(joining: some, partTokens: some.map { tokenizer.countTokens($0) }, separator: "\n\n")
                    == tokenizer.countTokens(some.joined(separator: "\n\n")))
        }
    }

    @Test func aCutIsAfterALineBreakBeforeText() {
        #expect(BPETokenizer.lastCut("ab\ncd\n  ef") == 6)
        #expect(BPETokenizer.lastCut("ab\ncd\n  \n") == 3)
        #expect(BPETokenizer.lastCut("ab\ncd\n  ") == 3)
        #expect(BPETokenizer.lastCut("ab\r\n\tx") == 4)
        #expect(BPETokenizer.lastCut("no line break") == nil)
    }
}
