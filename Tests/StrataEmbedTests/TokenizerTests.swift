import Foundation
import StrataCore
import Testing
@testable import StrataEmbed

/// The tokenizer on a small vocabulary of its own (no model needed): the rules of Hugging
/// Face's BertTokenizer one at a time.
@Suite struct WordPieceTokenizerTests {
    static let vocabulary: WordPieceVocabulary = {
        let pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##want", "##ed", "want", "runn", "##ing", ",", "!", "$",
                      "cafe", "東", "京", "i", "stan", "##bul", "the"]
        // swiftlint:disable:next force_try
        return try! WordPieceVocabulary(ids: Dictionary(uniqueKeysWithValues: pieces.enumerated().map { ($1, Int32($0)) }))
    }()

    func pieces(_ text: String, maximum: Int = 256) throws -> [String] {
        try WordPieceTokenizer(vocabulary: Self.vocabulary, maximumTokens: maximum).pieces(text)
    }

    @Test func greedyLongestMatchWithContinuations() throws {
        #expect(try pieces("unwanted running") == ["un", "##want", "##ed", "runn", "##ing"])
        // A word with a part the vocabulary lacks becomes one [UNK], not a partial match.
        #expect(try pieces("unwantedx") == ["[UNK]"])
    }

    @Test func punctuationAndSymbolsAreWordsOfTheirOwn() throws {
        #expect(try pieces("want,want!$") == ["want", ",", "want", "!", "$"])
    }

    @Test func lowercasingAccentStrippingAndCJK() throws {
        #expect(try pieces("CAFÉ Café") == ["cafe", "cafe"])
        #expect(try pieces("東京") == ["東", "京"])
        // İ decomposes to I + combining dot (NFD), the dot is stripped, then I lowercases.
        #expect(try pieces("İ") == ["i"])
    }

    @Test func controlAndFormatCharactersVanishWhiteSpaceSeparates() throws {
        // Tab is white space; the zero-width space (Cf) and vertical tab (Cc) are removed, so
        // they join what they stood between ("thethe", not in the vocabulary).
        #expect(try pieces("the\u{200B}\tthe\u{0B}the") == ["the", "[UNK]"])
    }

    @Test func truncatesToTheModelsLengthWithClassifierAndSeparator() throws {
        let tokenizer = try WordPieceTokenizer(vocabulary: Self.vocabulary, maximumTokens: 5)
        let ids = tokenizer.encode("the the the the the the")
        #expect(ids.count == 5)
        #expect(ids.first == Self.vocabulary.classifier)
        #expect(ids.last == Self.vocabulary.separator)
    }

    @Test func overlongWordsAreUnknown() throws {
        #expect(try pieces(String(repeating: "un", count: 51)) == ["[UNK]"])
    }
}

@Suite struct SafetensorsFileTests {
    /// A file with `header` as its JSON and `payload` after it.
    func file(_ header: String, payload: [UInt8]) -> Data {
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + payload
        return Data(bytes)
    }

    @Test func readsLittleEndianFloatsWithTheirShape() throws {
        let values: [Float] = [1.5, -2, 0.25, 8]
        let payload = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } }
        let data = file(#"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#, payload: payload)
        let tensors = try SafetensorsFile(data: data, path: "t.safetensors")
        #expect(try tensors.floats("w", shape: [2, 2]) == values)
        #expect(throws: StrataError.self) { try tensors.floats("w", shape: [4]) }
        #expect(throws: StrataError.self) { try tensors.floats("missing", shape: [2, 2]) }
    }

    @Test func damagedFilesAreDataLossNamingTheTensor() {
        let cases: [(Data, String)] = [
            (Data([1, 2, 3]), "shorter than"),
            (file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, payload: [0, 0, 0, 0]), "tensor w lies at"),
            (file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, payload: Array(repeating: 0, count: 8)), "does not fill"),
            (file("not json", payload: []), "not valid JSON"),
        ]
        for (data, words) in cases {
            do {
                _ = try SafetensorsFile(data: data, path: "bad.safetensors")
                Issue.record("accepted a damaged file (\(words))")
            } catch {
                #expect(error.code == .dataLoss)
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
    }
}
