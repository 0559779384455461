import Foundation
import StrataCore
@testable import StrataStore

/// Helpers that build chunks and batches for the store tests.
enum StoreTestData {
    static func provenance(_ doc: String, _ i: Int) -> ChunkProvenance {
        ChunkProvenance(documentID: doc, byteStart: i * 100, byteEnd: i * 100 + 100, lineStart: i * 3 + 1, lineEnd: i * 3 + 3)
    }

    static func chunk(_ text: String, doc: String = "d", ordinal: Int = 0, vector: [Float]? = nil) -> ChunkInput {
        ChunkInput(text: text, tokenCount: max(1, text.utf8.count / 4), provenance: provenance(doc, ordinal), vector: vector)
    }

    static func put(_ ns: String, _ doc: String, _ texts: [String], vectors: [[Float]]? = nil) -> StoreOperation {
        .putDocument(namespace: ns, documentID: doc, chunks: texts.enumerated().map { i, t in
            chunk(t, doc: doc, ordinal: i, vector: vectors?[i])
        })
    }

    /// A fresh temporary directory, removed by the caller with `removeDirectory`.
    static func temporaryDirectory(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "strata-store-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// All (document, ordinal, text) of a slot, for comparing stores.
    static func dump(_ tier: PersistentTier, slot: UInt32) throws -> [String] {
        var out: [String] = []
        try tier.forEachChunk(inSlot: slot) { c in
            out.append("\(c.ref.namespace)|\(c.provenance.documentID)|\(c.ordinal)|\(c.text)|\(c.tokenCount)|\(c.vector.map { "\($0)" } ?? "-")")
        }
        return out
    }

    static func text(_ i: Int, length: Int = 300) -> String {
        var s = "chunk \(i): "
        var x = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 | 1
        let words = ["alpha", "beta", "gamma", "delta", "func", "return", "let", "var", "struct", "store", "segment", "wal"]
        while s.utf8.count < length {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            s += words[Int(x % UInt64(words.count))] + " "
        }
        return s
    }

    /// Text that barely compresses (seeded random letters), for tests that reason about bytes on disk.
    static func noise(_ i: Int, length: Int) -> String {
        var x = UInt64(i) &* 0x2545_F491_4F6C_DD1D | 1
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<length).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return letters[Int(x % UInt64(letters.count))]
        })
    }
}
