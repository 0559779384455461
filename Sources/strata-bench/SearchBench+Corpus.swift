import Foundation
import StrataCore

/// Corpus loading, chunking and token counting for `strata-bench search`.
///
/// The chunker and the token counter here are the bench's own, simple ones (StrataText is
/// written in parallel): the chunker packs whole lines up to 1024 bytes and prefers a blank
/// line after half of that; the counter estimates cl100k-like tokens from a pre-tokenization
/// (letter runs, digit groups of three, punctuation, newline runs). Switch both to
/// StrataText's chunker and BPE once it lands; the search figures do not depend on them.
extension SearchBench {
    /// One source document of the benchmark corpus.
    struct BenchDocument {
        var id: String
        var text: String
    }

    /// One chunk with everything the bench needs to index it and assemble contexts from it.
    struct BenchChunk {
        var provenance: ChunkProvenance
        var text: String
        var tokens: Int
    }

    /// Real Python sources, stdlib first, then site packages, in a stable order.
    static func loadRealDocuments(roots: [String]) -> [BenchDocument] {
        var documents: [BenchDocument] = []
        for root in roots {
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            var paths: [String] = []
            while let path = walker.nextObject() as? String {
                if path.hasSuffix(".py") { paths.append(path) }
            }
            for path in paths.sorted() {
                guard let data = FileManager.default.contents(atPath: root + "/" + path),
                    let text = String(data: data, encoding: .utf8), !text.isEmpty
                else { continue }
                documents.append(BenchDocument(id: root + "/" + path, text: text))
            }
        }
        return documents
    }

    /// Packs lines into chunks of about `target` bytes, cutting at a blank line when one comes
    /// after half the target. Lines are never split, so every chunk is whole UTF-8.
    static func chunk(_ document: BenchDocument, target: Int = 1024, counter: any TokenCounting) -> [BenchChunk] {
        var chunks: [BenchChunk] = []
        let bytes = Array(document.text.utf8)
        var start = 0
        var line = 1
        var startLine = 1
        var cursor = 0
        func emit(_ end: Int, _ endLine: Int) {
            guard end > start else { return }
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            chunks.append(
                BenchChunk(
                    provenance: ChunkProvenance(
                        documentID: document.id, byteStart: start, byteEnd: end, lineStart: startLine, lineEnd: endLine),
                    text: text, tokens: counter.countTokens(text)))
            start = end
            startLine = endLine + 1
        }
        while cursor < bytes.count {
            var lineEnd = cursor
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let blank = lineEnd == cursor
            if lineEnd < bytes.count { lineEnd += 1 }
            let size = lineEnd - start
            if size >= target || (blank && size >= target / 2) {
                // Include this line if the chunk would otherwise be empty.
                if cursor == start || blank {
                    emit(lineEnd, line)
                } else {
                    emit(cursor, line - 1)
                    continue
                }
            }
            cursor = lineEnd
            line += 1
        }
        emit(bytes.count, max(line - 1, startLine))
        return chunks
    }
}

/// The bench's vocabulary-free token estimate (see the note above), cl100k-like on code.
struct BenchTokenEstimate: TokenCounting {
    var kind: TokenizerKind { .estimate }

    func countTokens(_ text: Substring) -> Int {
        var count = 0
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if Self.isLetter(b) {
                var run = 0
                while i < utf8.endIndex, Self.isLetter(utf8[i]) {
                    run += 1
                    i = utf8.index(after: i)
                }
                count += 1 + (run - 1) / 8
            } else if b >= 0x30 && b <= 0x39 {
                var run = 0
                while i < utf8.endIndex, utf8[i] >= 0x30, utf8[i] <= 0x39 {
                    run += 1
                    i = utf8.index(after: i)
                }
                count += (run + 2) / 3
            } else if b == 0x0A {
                while i < utf8.endIndex, utf8[i] == 0x0A || utf8[i] == 0x20 { i = utf8.index(after: i) }
                count += 1
            } else if b == 0x20 {
                // A single space joins the next word; longer runs (indentation) are one token.
                var run = 0
                while i < utf8.endIndex, utf8[i] == 0x20 {
                    run += 1
                    i = utf8.index(after: i)
                }
                if run > 1 { count += 1 }
            } else {
                count += 1
                i = utf8.index(after: i)
            }
        }
        return count
    }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b >= 0x80
    }
}
