import StrataCore

/// An embedding model a namespace can name (`--embedder ID`): where its files live in the
/// models directory, its encoder's shape, its output dimension and how many word pieces it
/// reads. The id is what namespaces store, so it never changes meaning.
public struct EmbedderModel: Sendable, Equatable {
    /// The id a namespace names, e.g. "minilm-l6".
    public var id: String
    /// The folder under the models directory holding `model.safetensors` and `tokenizer.json`.
    public var directoryName: String
    /// What the model is, for humans (status output, docs).
    public var description: String
    public var configuration: BertConfiguration
    /// Vector dimension (the namespace's `dimension`).
    public var dimension: Int
    /// Word pieces read per text, [CLS] and [SEP] included; the rest is not seen.
    public var maximumTokens: Int

    /// sentence-transformers/all-MiniLM-L6-v2: mean pooling, L2 normalised, 256 word pieces.
    public static let miniLML6 = EmbedderModel(
        id: "minilm-l6", directoryName: "all-minilm-l6-v2",
        description: "sentence-transformers/all-MiniLM-L6-v2 (384 dimensions, 256 word pieces)",
        configuration: .miniLML6, dimension: 384, maximumTokens: 256)

    /// Every model this build knows.
    public static let known: [EmbedderModel] = [.miniLML6]

    /// The model named `id`, or INVALID_ARGUMENT listing the known ones.
    public static func named(_ id: String, field: String = "embedder") throws(StrataError) -> EmbedderModel {
        guard let model = known.first(where: { $0.id == id }) else {
            throw .invalidArgument("\(field) \"\(id)\" is not a known embedder (known: \(known.map(\.id).joined(separator: ", ")))")
        }
        return model
    }
}
