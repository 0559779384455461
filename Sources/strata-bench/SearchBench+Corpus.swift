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
