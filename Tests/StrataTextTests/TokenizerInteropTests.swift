import Foundation
import StrataCore
import Testing
@testable import StrataText

/// Strata's token ids and counts against tiktoken loaded from the same vocabulary file, on a
/// real corpus. They must match exactly. Sizes are chosen to keep the suite under a minute in
/// debug builds (see docs/tokens.md): ids on ~2 MB per encoding, counts on ~6 MB per encoding.
@Suite(.serialized) struct TokenizerInteropTests {
    static let idBytes = 2_000_000
    static let countBytes = 4_000_000

    let locator = VocabularyLocator.fromEnvironment()

    func reference() throws -> ReferenceTokenizer {
        try ReferenceTokenizer.make(vocabDirectory: locator.directory)
    }

    @Test(arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func idsMatchTiktokenOnPythonStandardLibrary(_ encoding: TiktokenEncoding) throws {
        let tokenizer = try TokenizerRegistry.loadBPE(encoding, locator: locator)
        let reference = try reference()
        let stdlib = try Corpus.stdlibDirectory(python: reference.python)
        // Different files per encoding, spread over the whole tree.
        let files = Corpus.files(under: stdlib, extensions: [".py"], maxBytes: Self.idBytes,
                                 stride: encoding.kind == .cl100k ? 11 : 13)
        #expect(files.reduce(0) { $0 + $1.text.utf8.count } > Self.idBytes / 2)
        let expected = try reference.ids(encoding.name, files: files.map(\.path))
        try #require(expected.count == files.count)
        var mismatches: [String] = []
        for (file, want) in zip(files, expected) {
            let got = tokenizer.encode(file.text)
            if got != want { mismatches.append(file.path + " " + firstDifference(got, want)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) files differ: \(mismatches.prefix(5))")
    }

    @Test(arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func countsMatchTiktokenOnSeveralMegabytes(_ encoding: TiktokenEncoding) throws {
        let tokenizer = try TokenizerRegistry.loadBPE(encoding, locator: locator)
        let reference = try reference()
        let stdlib = try Corpus.stdlibDirectory(python: reference.python)
        let files = Corpus.files(under: stdlib, extensions: [".py", ".txt", ".rst"], maxBytes: Self.countBytes, stride: 3)
            + Corpus.files(under: "/usr/include", extensions: [".h"], maxBytes: Self.countBytes / 2, stride: 5)
        #expect(files.reduce(0) { $0 + $1.text.utf8.count } > Self.countBytes)
        let expected = try reference.counts(encoding.name, files: files.map(\.path))
        try #require(expected.count == files.count)
        var mismatches: [String] = []
        for (file, want) in zip(files, expected) {
            let got = tokenizer.countTokens(file.text)
            if got != want { mismatches.append("\(file.path): \(got) vs \(want)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) files differ: \(mismatches.prefix(5))")
    }

    @Test(arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func idsMatchTiktokenOnAdversarialStrings(_ encoding: TiktokenEncoding) throws {
        let tokenizer = try TokenizerRegistry.loadBPE(encoding, locator: locator)
        let strings = AdversarialStrings.all
        let expected = try reference().ids(encoding.name, strings: strings)
        for (text, want) in zip(strings, expected) {
            let got = tokenizer.encode(text)
            #expect(got == want, "\(text.debugDescription): \(firstDifference(got, want))")
            #expect(tokenizer.countTokens(text) == want.count)
            #expect(try tokenizer.decode(got) == text)
        }
    }

    @Test(arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func specialTokensMatchTiktokensAllowedSpecialAll(_ encoding: TiktokenEncoding) throws {
        let tokenizer = try TokenizerRegistry.loadBPE(encoding, locator: locator)
        let text = "start<|endoftext|>mid <|fim_prefix|>a<|fim_middle|>b<|fim_suffix|>\n<|endofprompt|><|endoftext|>end <|endoftext"
        let path = NSTemporaryDirectory() + "strata-special-\(UUID().uuidString).txt"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = try reference().specialIDs(encoding.name, files: [path])
        #expect(tokenizer.encodeRecognizingSpecialTokens(text) == expected.first)
        #expect(try tokenizer.decode(expected.first ?? []) == text)
    }

    /// The pieces themselves, not only the ids: two different splits can merge to the same
    /// ids on one text and differ on the next.
    @Test(arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func piecesMatchTiktokensPattern(_ encoding: TiktokenEncoding) throws {
        let reference = try reference()
        let stdlib = try Corpus.stdlibDirectory(python: reference.python)
        let sample = Corpus.files(under: stdlib, extensions: [".py"], maxBytes: 300_000, stride: 29).map(\.text)
        let strings = AdversarialStrings.all + sample
        let expected = try reference.pieces(encoding.name, strings: strings)
        try #require(expected.count == strings.count)
        for (text, want) in zip(strings, expected) {
            let got = Self.pieces(text, encoding)
            if got != want {
                let i = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
                Issue.record("\(String(text.prefix(60)).debugDescription): piece \(i) strata \(got[i..<min(i + 3, got.count)]) pattern \(want[i..<min(i + 3, want.count)])")
            }
        }
    }

    static func pieces(_ text: String, _ encoding: TiktokenEncoding) -> [String] {
        var out: [String] = []
        var copy = text
        copy.withUTF8 { buffer in
            let body: (Int, Int) -> Void = { start, end in
                out.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
            }
            switch encoding.pattern {
            case .cl100k: CL100kPreTokenizer().forEachPiece(buffer, body)
            case .o200k: O200kPreTokenizer().forEachPiece(buffer, body)
            }
        }
        return out
    }

    func firstDifference(_ got: [Int], _ want: [Int]) -> String {
        let i = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
        return "first difference at token \(i): strata \(Array(got[i..<min(i + 5, got.count)])) tiktoken \(Array(want[i..<min(i + 5, want.count)])) (lengths \(got.count), \(want.count))"
    }
}
