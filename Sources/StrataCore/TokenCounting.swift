/// The tokenizer a namespace uses to count tokens exactly as the model will.
///
/// Chosen once at namespace creation and never changed: token counts stored with chunks and
/// every budget decision depend on it.
public enum TokenizerKind: String, Sendable, CaseIterable, Codable {
    /// OpenAI's cl100k_base byte-level BPE (GPT-4, GPT-3.5).
    case cl100k = "cl100k_base"
    /// OpenAI's o200k_base byte-level BPE (GPT-4o and later).
    case o200k = "o200k_base"
    /// A vocabulary-free estimate; its measured error is documented in docs/tokens.md.
    case estimate = "estimate"
}

/// Anything that can count the tokens of a text. Implemented by StrataText's tokenizers and
/// consumed by context assembly, which must never exceed a budget as the model counts it.
public protocol TokenCounting: Sendable {
    /// Which tokenizer this is.
    var kind: TokenizerKind { get }
    /// The exact number of tokens `text` encodes to (an estimate for `.estimate`).
    func countTokens(_ text: Substring) -> Int
    /// The count of `parts` joined with `separator`, given each part's own count
    /// (`partTokens[i] == countTokens(parts[i])`): the same number as counting the joined
    /// text. The default counts the joined text; a tokenizer that can prove the parts' counts
    /// add up (recounting only where a part meets the separator) overrides it, so a caller
    /// that needs both the parts' and the whole's counts tokenizes the text about once.
    func countTokens(joining parts: [Substring], partTokens: [Int], separator: String) -> Int
}

extension TokenCounting {
    /// Convenience for whole strings.
    public func countTokens(_ text: String) -> Int { countTokens(text[...]) }

    public func countTokens(joining parts: [Substring], partTokens: [Int], separator: String) -> Int {
        countTokens(parts.joined(separator: separator)[...])
    }
}
