import Foundation
import StrataCore

/// Turns text into a model's vectors: the model's WordPiece tokenizer, then a backend.
///
/// Vectors are L2-normalised (cosine = dot). Texts longer than the model reads are cut to its
/// `maximumTokens` word pieces, as sentence-transformers does; what lies beyond is invisible
/// to the vector path (lexical search still sees it).
public final class TextEmbedder: Sendable {
    public let model: EmbedderModel
    public let tokenizer: WordPieceTokenizer
    public let backend: any EmbeddingBackend

    public init(model: EmbedderModel, tokenizer: WordPieceTokenizer, backend: any EmbeddingBackend) {
        self.model = model
        self.tokenizer = tokenizer
        self.backend = backend
    }

    /// Loads `model` from `<modelsDirectory>/<model.directoryName>/` (model.safetensors and
    /// tokenizer.json or vocab.txt) onto the CPU backend. FAILED_PRECONDITION naming the
    /// missing file and the install command when the model is not installed; nothing is
    /// ever downloaded.
    public static func load(_ model: EmbedderModel, modelsDirectory: String, threads: Int = 0,
                            idlePriority: Bool = true) throws(StrataError) -> TextEmbedder {
        let directory = modelsDirectory + "/" + model.directoryName
        let weightsPath = directory + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw .failedPrecondition("embedder \(model.id): \(weightsPath) is missing; install the model with scripts/install-model.sh (scripts/install-deps.sh runs it) or set embedding.models_dir")
        }
        let vocabulary: WordPieceVocabulary
        do throws(StrataError) {
            vocabulary = try WordPieceVocabulary.load(directory: directory)
        } catch where error.code == .notFound {
            throw .failedPrecondition("embedder \(model.id): \(error.message); install the model with scripts/install-model.sh")
        }
        guard vocabulary.count == model.configuration.vocabularySize else {
            throw .failedPrecondition("embedder \(model.id): the vocabulary in \(directory) has \(vocabulary.count) pieces; the model has \(model.configuration.vocabularySize)")
        }
        let weights = try BertWeights(file: try SafetensorsFile(path: weightsPath), configuration: model.configuration)
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maximumTokens: model.maximumTokens)
        return TextEmbedder(model: model, tokenizer: tokenizer, backend: try CPUEmbeddingBackend(model: model, weights: weights, threads: threads,
                                                                                             idlePriority: idlePriority))
    }

    /// One text's vector, computed on the calling thread (a query).
    public func embedNow(_ text: String) throws(StrataError) -> [Float] {
        try backend.embedNow([tokenizer.encode(text)])[0]
    }

    /// Vectors of `texts` in order, computed on the backend's background threads.
    public func embedInBackground(_ texts: [String]) async throws(StrataError) -> [[Float]] {
        try await backend.embedInBackground(texts.map(tokenizer.encode))
    }
}
