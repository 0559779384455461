import StrataCore

/// BERT's uncased tokenizer: `BertNormalizer`, `BertPreTokenizer`, then greedy
/// longest-match-first WordPiece over each word ("##" marks a piece that continues a word; a
/// word with any part not in the vocabulary, or longer than 100 scalars, becomes [UNK]).
/// The output is wrapped in [CLS] … [SEP] and cut to `maximumTokens` in all, as
/// sentence-transformers truncates (all-MiniLM-L6-v2: 256).
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    public let maximumTokens: Int
    static let maximumWordScalars = 100

    public init(vocabulary: WordPieceVocabulary, maximumTokens: Int) throws(StrataError) {
        guard maximumTokens >= 3 else { throw .invalidArgument("maximumTokens must be at least 3, got \(maximumTokens)") }
        self.vocabulary = vocabulary
        self.maximumTokens = maximumTokens
    }

    /// The ids the model reads for `text`: [CLS], at most `maximumTokens - 2` word pieces, [SEP].
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [vocabulary.classifier]
        let limit = maximumTokens - 1
        for word in BertPreTokenizer.words(BertNormalizer.normalize(text)) {
            appendPieces(of: word, to: &ids)
            if ids.count >= limit { break }
        }
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        ids.append(vocabulary.separator)
        return ids
    }

    /// The word pieces of `text` as strings, without [CLS]/[SEP] (for tests and debugging).
    public func pieces(_ text: String) -> [String] {
        let reverse = Dictionary(vocabulary.ids.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return encode(text).dropFirst().dropLast().map { reverse[$0] ?? "?" }
    }

    private func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32]) {
        let scalars = Array(word)
        guard scalars.count <= Self.maximumWordScalars else {
            ids.append(vocabulary.unknown)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = min(scalars.count, start + vocabulary.longestPiece)
            var found: Int32?
            while start < end {
                var candidate = start > 0 ? "##" : ""
                candidate.unicodeScalars.append(contentsOf: scalars[start..<end])
                if let id = vocabulary.ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.append(vocabulary.unknown)
                return
            }
            pieces.append(id)
            start = end
        }
        ids.append(contentsOf: pieces)
    }
}
