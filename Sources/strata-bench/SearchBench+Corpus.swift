import Foundation
import StrataCore

/// Corpus loading for `strata-bench search`. Chunking and token counting are the product's
/// own (StrataText's `Chunker` and the exact `cl100k_base` BPE), driven from `runSize`.
extension SearchBench {
    /// One source document of the benchmark corpus.
    struct BenchDocument {
        var id: String
        var text: String
    }

    /// One chunk as StrataText cut it, with its exact token count (what the store keeps with
    /// a chunk and hands to context assembly).
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
}
