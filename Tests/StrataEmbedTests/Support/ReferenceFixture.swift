import Foundation
import StrataEmbed

/// The committed reference of sentence-transformers' all-MiniLM-L6-v2
/// (`Fixtures/minilm-reference.json`, written by scripts/embed/make_fixture.py): texts with
/// their token ids and normalised vectors.
struct ReferenceFixture: Decodable {
    struct Entry: Decodable {
        var text: String
        var tokens: [Int32]
        var vector: [Float]
    }

    var model: String
    var texts: [Entry]

    static let shared: ReferenceFixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/minilm-reference.json")
        // swiftlint:disable:next force_try
        return try! JSONDecoder().decode(ReferenceFixture.self, from: Data(contentsOf: url))
    }()
}

/// The installed model, loaded once for every test of the target (a load reads 90 MB).
enum InstalledModel {
    static let directory = ModelsDirectory.resolve(configured: ProcessInfo.processInfo.environment["STRATA_EMBEDDING_MODELS_DIR"] ?? "")

    static let embedder: Result<TextEmbedder, any Error> = Result {
        try TextEmbedder.load(.miniLML6, modelsDirectory: directory, threads: 2)
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}
