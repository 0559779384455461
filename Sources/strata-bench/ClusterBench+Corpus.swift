import Foundation
import StrataCore
import StrataText
import StrataWire

extension ClusterBench {
    /// The ingested corpus: Python's standard library (.py files without tests, IDLE and
    /// installed packages, sorted), then -- only when more tokens are asked for -- a synthetic
    /// tail of Python-like documents under `synthetic/`, built from the stdlib's own words
    /// with a fixed seed (distinct text, so nothing is deduplicated away).
    ///
    /// With `vectors`, documents go out chunked on the client side (the namespace's chunker
    /// settings, 1024 characters) with a SYNTHETIC vector per chunk, as a client that embeds
    /// does; without, as plain text that the coordinator chunks.
    final class ClusterCorpus: CustomStringConvertible, @unchecked Sendable {
        let root: String
        let stdlib: [(id: String, text: String)]
        let vocabulary: [String]
        private let lock = NSLock()
        private var next = 0
        private(set) var synthetic = 0
        let targetTokens: Int
        let vectors: SyntheticVectors?
        private let chunker: Chunker

        init(python: String, targetTokens: Int, vectors: SyntheticVectors?) throws {
            self.vectors = vectors
            chunker = try Chunker(settings: ChunkerSettings(targetCharacters: 1024, overlapCharacters: 0))
            root = try Self.stdlibPath(python: python)
            self.targetTokens = targetTokens
            var documents: [(String, String)] = []
            guard let enumerator = FileManager.default.enumerator(atPath: root) else {
                throw BenchFailure("cannot read the Python standard library at \(root)")
            }
            var paths: [String] = []
            for case let relative as String in enumerator where relative.hasSuffix(".py") {
                let parts = relative.split(separator: "/")
                if parts.contains(where: { ["test", "tests", "site-packages", "idlelib"].contains($0) }) { continue }
                paths.append(relative)
            }
            for relative in paths.sorted() {
                guard let data = FileManager.default.contents(atPath: root + "/" + relative),
                      let text = String(validating: data, as: UTF8.self),
                      !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
                documents.append(("stdlib/" + relative, text))
            }
            guard !documents.isEmpty else { throw BenchFailure("no .py files under \(root)") }
            stdlib = documents
            var words = Set<String>()
            for (_, text) in documents.prefix(300) {
                for word in text.split(whereSeparator: { !($0.isLetter || $0 == "_") }) where word.count >= 3 && word.count <= 16 {
                    words.insert(String(word))
                }
            }
            vocabulary = words.sorted()
        }

        /// Asks `python` (looked up on PATH) where its standard library is.
        static func stdlibPath(python: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard process.terminationStatus == 0, !path.isEmpty else { throw BenchFailure("\(python) did not say where its standard library is") }
            return path
        }

        var stdlibBytes: Int { stdlib.reduce(0) { $0 + $1.text.utf8.count } }

        var description: String {
            "Python \(root): \(stdlib.count) .py files, \(format(Double(stdlibBytes) / 1e6, 1)) MB"
                + (synthetic > 0 ? "; plus a SYNTHETIC tail of \(synthetic) generated Python-like documents (synthetic/…) to reach \(targetTokens) tokens" : "; no synthetic tail needed")
        }

        /// The next documents, about `bytes` of text; stdlib first, then synthetic ones.
        func nextBatch(bytes: Int) -> [Document] {
            lock.lock()
            defer { lock.unlock() }
            var batch: [Document] = []
            var size = 0
            while size < bytes {
                let (id, text): (String, String)
                if next < stdlib.count {
                    (id, text) = stdlib[next]
                } else {
                    (id, text) = ("synthetic/\(next - stdlib.count).py", syntheticDocument(next - stdlib.count))
                    synthetic += 1
                }
                batch.append(document(id: id, text: text, index: next))
                size += text.utf8.count
                next += 1
            }
            return batch
        }

        /// Document number `index`: plain text, or chunks with their synthetic vectors.
        private func document(id: String, text: String, index: Int) -> Document {
            guard let vectors else { return Document(id: id, text: text) }
            let chunks = chunker.chunk(documentID: id, text: text).enumerated().map { ordinal, chunk in
                ChunkInput(text: chunk.text, vector: vectors.chunkVector(document: index, ordinal: ordinal), provenance: chunk.provenance)
            }
            return Document(id: id, chunks: chunks)
        }

        /// About 8 KB of Python-like text from the stdlib's words; deterministic per index.
        private func syntheticDocument(_ index: Int) -> String {
            var random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
            func word() -> String { vocabulary[Int(random.next() % UInt64(vocabulary.count))] }
            var text = "# synthetic document \(index), generated by strata-bench cluster\n"
            while text.utf8.count < 8_000 {
                text += "\ndef \(word())_\(word())(\(word()), \(word())=None):\n"
                text += "    \"\"\"\(word().capitalized) the \(word()) of \(word()) \(word()).\"\"\"\n"
                for _ in 0..<(3 + Int(random.next() % 5)) {
                    text += "    \(word()) = \(word()).\(word())(\(word()), \(random.next() % 100))\n"
                }
                text += "    return \(word())\n"
            }
            return text
        }

        /// Query texts: fixed questions, then 3-word pieces of random stdlib lines (seeded),
        /// each with the index of the document it comes from (for its synthetic vector; the
        /// fixed questions get a seeded document).
        func queries(count: Int) -> [(text: String, document: Int)] {
            var random = SplitMix64(seed: 42)
            var result: [(text: String, document: Int)] = [
                "parse a JSON document from a string", "how does the event loop schedule callbacks",
                "open a file with a context manager", "compile a regular expression pattern",
                "read a CSV file into rows", "create a temporary directory", "send an HTTP request with headers",
                "format a date as ISO 8601", "start a thread and wait for it", "compress data with zlib",
            ].map { ($0, Int(random.next() % UInt64(stdlib.count))) }
            while result.count < count {
                let document = Int(random.next() % UInt64(stdlib.count))
                let text = stdlib[document].text
                let lines = text.split(separator: "\n")
                guard !lines.isEmpty else { continue }
                let line = String(lines[Int(random.next() % UInt64(lines.count))])
                let words: [String] = line.split(whereSeparator: { !($0.isLetter || $0 == "_") }).map(String.init).filter { $0.count >= 3 }
                guard words.count >= 3 else { continue }
                let start = Int(random.next() % UInt64(words.count - 2))
                result.append((words[start..<start + 3].joined(separator: " "), document))
            }
            return Array(result.prefix(count))
        }
    }

}
