import Foundation
import StrataCore
import Testing
@testable import StrataEmbed

/// The Swift embedder against sentence-transformers on the committed reference texts
/// (prose, code, unicode, a text beyond 256 word pieces).
@Suite struct ReferenceVectorTests {
    @Test func tokenIdsMatchTheReferenceTokenizer() throws {
        let embedder = try InstalledModel.embedder.get()
        for entry in ReferenceFixture.shared.texts {
            #expect(embedder.tokenizer.encode(entry.text) == entry.tokens, "text: \(entry.text.prefix(60))")
        }
    }

    @Test func vectorsMatchSentenceTransformers() async throws {
        let embedder = try InstalledModel.embedder.get()
        let entries = ReferenceFixture.shared.texts
        // Batched on the background threads, and one at a time on the caller's thread: both
        // must match (the packed batch must not let texts see each other).
        let batched = try await embedder.embedInBackground(entries.map(\.text))
        var lowest = 1.0
        for (entry, vector) in zip(entries, batched) {
            let alone = try embedder.embedNow(entry.text)
            let similarity = cosine(vector, entry.vector)
            lowest = min(lowest, similarity)
            #expect(similarity >= 0.9999, "batched, text: \(entry.text.prefix(60))")
            #expect(cosine(alone, entry.vector) >= 0.9999, "alone, text: \(entry.text.prefix(60))")
            #expect(vector.count == 384)
        }
        print("lowest cosine to sentence-transformers over \(entries.count) texts: \(lowest)")
    }

    @Test func missingModelIsAClearError() {
        do {
            _ = try TextEmbedder.load(.miniLML6, modelsDirectory: "/nonexistent/strata-models")
            Issue.record("loading from an empty directory succeeded")
        } catch let error as StrataError {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("/nonexistent/strata-models/all-minilm-l6-v2/model.safetensors"))
            #expect(error.message.contains("scripts/install-model.sh"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
