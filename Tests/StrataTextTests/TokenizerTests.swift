import Foundation
import StrataCore
import Testing
@testable import StrataText

@Suite struct TokenizerTests {
    let locator = VocabularyLocator.fromEnvironment()

    @Test func missingVocabularyNamesWhereItLookedAndTheFix() {
        let empty = VocabularyLocator(directory: "/nonexistent/strata-vocab")
        do {
            _ = try TokenizerRegistry.load(.o200k, locator: empty)
            Issue.record("loading from an empty directory succeeded")
        } catch let error as StrataError {
            #expect(error.code == .notFound)
            #expect(error.message.contains("/nonexistent/strata-vocab/o200k_base.tiktoken"))
            #expect(error.message.contains("./scripts/install-deps.sh"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func locatorFollowsTheEnvironment() {
        #expect(VocabularyLocator.fromEnvironment(["STRATA_VOCAB_DIR": "/v", "HOME": "/h"]).directory == "/v")
        #expect(VocabularyLocator.fromEnvironment(["XDG_DATA_HOME": "/x", "HOME": "/h"]).directory == "/x/strata/vocab")
        #expect(VocabularyLocator.fromEnvironment(["HOME": "/h"]).directory == "/h/.local/share/strata/vocab")
    }

    @Test func corruptVocabularyFilesAreRejected() {
        #expect(throws: StrataError.self) {
            try BPETokenizer(encoding: .cl100kBase, vocabularyFile: Array("IQ== 0\nnot base64! 1\n".utf8), fileName: "bad")
        }
        #expect(throws: StrataError.self) {
            try BPETokenizer(encoding: .cl100kBase, vocabularyFile: Array("IQ== x\n".utf8), fileName: "bad")
        }
        // Parses, but lacks the 256 single bytes a byte-level BPE needs.
        #expect(throws: StrataError.self) {
            try BPETokenizer(encoding: .cl100kBase, vocabularyFile: Array("IQ== 0\nIg== 1\n".utf8), fileName: "small")
        }
    }

    @Test func registrySharesOneInstancePerVocabulary() throws {
        let a = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        let b = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        #expect(a === b)
        #expect(try TokenizerRegistry.load(.cl100k, locator: locator).kind == .cl100k)
        #expect(try TokenizerRegistry.load(.estimate, locator: VocabularyLocator(directory: "/nonexistent")).kind == .estimate)
        #expect(a.vocabularySize == 100_256)
    }

    @Test func specialTokensAreTextUnlessAskedFor() throws {
        let t = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        let plain = t.encode("a<|endoftext|>b")
        #expect(!plain.contains(100257))
        #expect(plain.count > 3)
        #expect(t.encodeRecognizingSpecialTokens("a<|endoftext|>b") == t.encode("a") + [100257] + t.encode("b"))
        #expect(t.encodeRecognizingSpecialTokens("<|fim_prefix|>x<|fim_suffix|>") == [100258] + t.encode("x") + [100260])
        #expect(try t.decode([100257]) == "<|endoftext|>")
        let o = try TokenizerRegistry.loadBPE(.o200kBase, locator: locator)
        #expect(o.encodeRecognizingSpecialTokens("<|endoftext|>") == [199999])
    }

    @Test func decodeRejectsUnknownIdsAndReplacesCutCharacters() throws {
        let t = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        #expect(throws: StrataError.self) { try t.decode([5_000_000]) }
        #expect(throws: StrataError.self) { try t.decode([-1]) }
        let ids = t.encode("日本")
        #expect(try t.decode(ids) == "日本")
        // A prefix of the ids may end inside a character; decode replaces, decodeBytes keeps.
        #expect(try t.decodeBytes(ids) == Array("日本".utf8))
    }

    @Test func longPiecesUseTheHeapMergerWithIdenticalResults() throws {
        let t = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        // Pieces just under and over the threshold must agree with the quadratic merger.
        for length in [BytePairMerger.heapThreshold - 1, BytePairMerger.heapThreshold + 1, 700] {
            for unit in ["=", "ab", "x-", "🙂"] {
                let text = String(repeating: unit, count: length / unit.utf8.count + 1)
                var viaHeap: [Int] = []
                var viaScan: [Int] = []
                var copy = text
                copy.withUTF8 { buffer in
                    HeapBytePairMerger(table: t.table).encode(buffer.baseAddress!, buffer.count) { viaHeap.append($0) }
                    QuadraticReference.encode(table: t.table, buffer) { viaScan.append($0) }
                }
                #expect(viaHeap == viaScan, "\(unit) x \(length)")
            }
        }
    }

    @Test func oneTokenizerServesManyTasksAtOnce() async throws {
        let t = try TokenizerRegistry.loadBPE(.o200kBase, locator: locator)
        let texts = Corpus.files(under: "/usr/include", extensions: [".h"], maxBytes: 200_000, stride: 41).map(\.text)
        let serial = texts.map { t.encode($0) }
        let parallel = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (i, text) in texts.enumerated() { group.addTask { (i, t.encode(text)) } }
            var out = [[Int]](repeating: [], count: texts.count)
            for try await (i, ids) in group { out[i] = ids }
            return out
        }
        #expect(parallel == serial)
    }

    @Test func estimateIsCloseToExactOnSource() throws {
        let exact = try TokenizerRegistry.loadBPE(.cl100kBase, locator: locator)
        let estimate = EstimateTokenizer()
        #expect(estimate.countTokens("") == 0)
        #expect(estimate.countTokens("\n") == 1)
        let files = Corpus.files(under: "/usr/include", extensions: [".h"], maxBytes: 400_000, stride: 23)
        let want = files.reduce(0) { $0 + exact.countTokens($1.text) }
        let got = files.reduce(0) { $0 + estimate.countTokens($1.text) }
        // Documented error bound over a corpus (docs/tokens.md): within 20% in total.
        #expect(abs(Double(got - want)) / Double(want) < 0.20, "estimate \(got) vs exact \(want)")
    }
}

/// The plain quadratic merge applied to a whole buffer, bypassing the whole-piece lookup and
/// the heap threshold, to check the heap merger against.
enum QuadraticReference {
    static func encode(table: RankTable, _ buffer: UnsafeBufferPointer<UInt8>, _ emit: (Int) -> Void) {
        var parts = Array(0...buffer.count)
        let base = buffer.baseAddress!
        func rank(_ k: Int) -> Int {
            guard k + 2 < parts.count else { return Int.max }
            return table.rank(base + parts[k], parts[k + 2] - parts[k]) ?? Int.max
        }
        while true {
            var best = Int.max, at = -1
            for k in 0..<(parts.count - 1) where rank(k) < best { best = rank(k); at = k }
            if at < 0 { break }
            parts.remove(at: at + 1)
        }
        for k in 0..<(parts.count - 1) { emit(table.rank(base + parts[k], parts[k + 1] - parts[k])!) }
    }
}

@Suite struct FileTokenCounterTests {
    @Test func countsFilesAndNamesBadOnes() throws {
        let dir = NSTemporaryDirectory() + "strata-count-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/a.txt", contents: Data("hello world".utf8))
        FileManager.default.createFile(atPath: dir + "/b.txt", contents: Data("hello".utf8))
        FileManager.default.createFile(atPath: dir + "/bad.txt", contents: Data([0x61, 0xFF]))
        let counter = FileTokenCounter(tokenizer: try TokenizerRegistry.load(.cl100k))
        let result = try counter.count(paths: [dir + "/a.txt", dir + "/b.txt"])
        #expect(result.perFile.map(\.tokens) == [2, 1])
        #expect(result.total == 3)
        #expect(throws: StrataError.invalidArgument("document \(dir)/bad.txt: text is not valid UTF-8 (first bad byte at offset 1)")) {
            try counter.count(path: dir + "/bad.txt")
        }
        #expect(throws: StrataError.notFound("file \(dir)/missing.txt does not exist")) {
            try counter.count(path: dir + "/missing.txt")
        }
    }
}
