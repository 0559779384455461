import StrataCore
import Synchronization

/// Wraps the bench's real tokenizer and tallies how many bytes go through it, to show how much
/// tokenizing one context assembly does beyond the one count of its final text. Used only in
/// an untimed pass; the counts it returns are the wrapped tokenizer's own.
final class SearchBenchCountingTokenizer: TokenCounting {
    let wrapped: any TokenCounting
    private let tally = Mutex<(calls: Int, bytes: Int)>((0, 0))

    init(_ wrapped: any TokenCounting) { self.wrapped = wrapped }

    var kind: TokenizerKind { wrapped.kind }

    func countTokens(_ text: Substring) -> Int {
        tally.withLock {
            $0.calls += 1
            $0.bytes += text.utf8.count
        }
        return wrapped.countTokens(text)
    }

    /// Calls and bytes counted since the last take; resets both.
    func take() -> (calls: Int, bytes: Int) {
        tally.withLock {
            let now = $0
            $0 = (0, 0)
            return now
        }
    }
}
