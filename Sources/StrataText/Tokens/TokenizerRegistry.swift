import Foundation
import StrataCore

/// Hands out one shared tokenizer per kind per process: a vocabulary takes tens of
/// milliseconds to load and megabytes to hold, and tokenizers are immutable, so every
/// namespace using `cl100k_base` shares the same instance.
public enum TokenizerRegistry {
    private static let cache = TokenizerCache()

    /// The tokenizer for `kind`, loading its vocabulary with `locator` on first use.
    /// Throws `notFound` (naming the path and the install command) when the vocabulary
    /// is missing; `.estimate` never throws.
    public static func load(_ kind: TokenizerKind, locator: VocabularyLocator = .fromEnvironment()) throws -> any TokenCounting {
        guard let encoding = TiktokenEncoding.forKind(kind) else { return EstimateTokenizer() }
        return try loadBPE(encoding, locator: locator)
    }

    /// The exact BPE tokenizer for `encoding` (for callers that need ids, not just counts).
    public static func loadBPE(_ encoding: TiktokenEncoding, locator: VocabularyLocator = .fromEnvironment()) throws -> BPETokenizer {
        try cache.get(key: locator.path(for: encoding)) { try locator.load(encoding) }
    }
}

/// The registry's lock-protected map from vocabulary path to loaded tokenizer.
private final class TokenizerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: BPETokenizer] = [:]

    func get(key: String, load: () throws -> BPETokenizer) throws -> BPETokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let hit = loaded[key] { return hit }
        let tokenizer = try load()
        loaded[key] = tokenizer
        return tokenizer
    }
}
