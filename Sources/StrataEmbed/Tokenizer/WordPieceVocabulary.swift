import Foundation
import StrataCore

/// A WordPiece vocabulary: word piece → id, with BERT's special tokens.
///
/// Read from a Hugging Face `tokenizer.json` (`model.vocab`, what the model packages ship) or
/// from a `vocab.txt` (one piece per line, the id is the line number).
public struct WordPieceVocabulary: Sendable {
    public let ids: [String: Int32]
    public let unknown: Int32
    public let classifier: Int32
    public let separator: Int32
    /// The longest piece in scalars (a "##" continuation counted without its prefix): no
    /// longer match is tried.
    let longestPiece: Int

    public init(ids: [String: Int32]) throws(StrataError) {
        guard let unknown = ids["[UNK]"], let classifier = ids["[CLS]"], let separator = ids["[SEP]"] else {
            throw .invalidArgument("the vocabulary lacks one of [UNK], [CLS], [SEP]")
        }
        self.ids = ids
        self.unknown = unknown
        self.classifier = classifier
        self.separator = separator
        longestPiece = ids.keys.reduce(0) { max($0, $1.unicodeScalars.count) }
    }

    public var count: Int { ids.count }

    /// Loads `tokenizer.json` (preferred) or `vocab.txt` from `directory`.
    public static func load(directory: String) throws(StrataError) -> WordPieceVocabulary {
        let json = directory + "/tokenizer.json"
        if let data = FileManager.default.contents(atPath: json) {
            return try fromTokenizerJSON(data, path: json)
        }
        let text = directory + "/vocab.txt"
        guard let data = FileManager.default.contents(atPath: text), let contents = String(data: data, encoding: .utf8) else {
            throw .notFound("no tokenizer.json or vocab.txt in \(directory)")
        }
        var ids: [String: Int32] = [:]
        for (line, piece) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !piece.isEmpty {
            ids[String(piece)] = Int32(line)
        }
        return try WordPieceVocabulary(ids: ids)
    }

    /// The vocabulary of a Hugging Face tokenizer file whose model is WordPiece.
    static func fromTokenizerJSON(_ data: Data, path: String) throws(StrataError) -> WordPieceVocabulary {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw .dataLoss("\(path) is not valid JSON: \(error)")
        }
        guard let model = (root as? [String: Any])?["model"] as? [String: Any],
              model["type"] as? String == "WordPiece", let vocab = model["vocab"] as? [String: Any] else {
            throw .dataLoss("\(path) holds no WordPiece model.vocab")
        }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(vocab.count)
        for (piece, id) in vocab {
            guard let number = id as? NSNumber else { throw .dataLoss("\(path): the id of \"\(piece)\" is not a number") }
            ids[piece] = number.int32Value
        }
        return try WordPieceVocabulary(ids: ids)
    }
}
