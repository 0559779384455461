import Foundation
import StrataCore
import StrataClient
import StrataText

/// `strata ingest`'s progress on standard error: a bar rewritten in place on a terminal (at
/// most ten times a second), plain lines otherwise (one per batch).
final class IngestProgress {
    let terminal: Bool
    /// Files skipped (binary, empty, too large, ignored).
    var skipped = 0
    private var line: IngestProgressLine
    private let tokenizer: (any TokenCounting)?
    private let estimate = EstimateTokenizer()
    private let started = Date()
    private var lastDrawn = Date.distantPast

    init(terminal: Bool, survey: IngestSurvey, tokenizer: (any TokenCounting)?) {
        self.terminal = terminal
        self.tokenizer = tokenizer
        self.line = IngestProgressLine(total: survey)
        line.tokensExact = tokenizer != nil
    }

    func sent(_ files: [IngestFile]) {
        for file in files {
            line.files += 1
            line.bytes += file.text.utf8.count
            line.tokens += (tokenizer ?? estimate).countTokens(file.text)
        }
        let now = Date()
        guard !terminal || now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        draw()
    }

    func note(_ text: String) { write((terminal ? "\r\u{1B}[2K" : "") + text + "\n") }

    func finish() {
        guard terminal else { return }
        draw()
        write("\n")
    }

    private func draw() {
        let text = line.render(seconds: Date().timeIntervalSince(started), barWidth: terminal ? 24 : 0)
        write(terminal ? "\r\u{1B}[2K" + text : text + "\n")
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
