import StrataCore

/// The definition of a tiktoken encoding: the vocabulary file it reads, its pre-tokenization
/// pattern and its special tokens (values from tiktoken's `tiktoken_ext/openai_public.py`).
public struct TiktokenEncoding: Sendable, Hashable {
    /// Which of tiktoken's pre-tokenization patterns an encoding uses.
    enum Pattern: Sendable, Hashable { case cl100k, o200k }

    /// The encoding's name, e.g. `cl100k_base`.
    public let name: String
    /// The tokenizer kind this encoding implements.
    public let kind: TokenizerKind
    /// The vocabulary file name looked up in the vocabulary directory.
    public var fileName: String { name + ".tiktoken" }
    /// Special tokens and their ids. Only `encodeRecognizingSpecialTokens` emits them.
    public let specialTokens: [String: Int]
    let pattern: Pattern

    public static let cl100kBase = TiktokenEncoding(
        name: "cl100k_base", kind: .cl100k,
        specialTokens: [
            "<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
        ],
        pattern: .cl100k)

    public static let o200kBase = TiktokenEncoding(
        name: "o200k_base", kind: .o200k,
        specialTokens: ["<|endoftext|>": 199999, "<|endofprompt|>": 200018],
        pattern: .o200k)

    /// The encoding for a BPE tokenizer kind; nil for `.estimate`, which has no vocabulary.
    public static func forKind(_ kind: TokenizerKind) -> TiktokenEncoding? {
        switch kind {
        case .cl100k: return .cl100kBase
        case .o200k: return .o200kBase
        case .estimate: return nil
        }
    }
}
