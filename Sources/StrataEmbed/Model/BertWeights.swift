import StrataCore

/// The weights of a BERT encoder as the forward pass reads them: F32, row major, linear
/// layers as [out × in] (PyTorch's layout). Query, key and value of each layer are stacked
/// into one [3·hidden × hidden] matrix so one matrix product computes all three.
public struct BertWeights: Sendable {
    public struct Layer: Sendable {
        let qkvWeight: FloatBuffer
        let qkvBias: FloatBuffer
        let attentionOutputWeight: FloatBuffer
        let attentionOutputBias: FloatBuffer
        let attentionNormGamma: FloatBuffer
        let attentionNormBeta: FloatBuffer
        let intermediateWeight: FloatBuffer
        let intermediateBias: FloatBuffer
        let outputWeight: FloatBuffer
        let outputBias: FloatBuffer
        let outputNormGamma: FloatBuffer
        let outputNormBeta: FloatBuffer
    }

    public let configuration: BertConfiguration
    let wordEmbeddings: FloatBuffer
    let positionEmbeddings: FloatBuffer
    let tokenTypeEmbedding: FloatBuffer
    let embeddingNormGamma: FloatBuffer
    let embeddingNormBeta: FloatBuffer
    let layers: [Layer]

    /// Reads every tensor of a Hugging Face `BertModel` safetensors file (names with or
    /// without a `bert.` prefix), checking each shape against `configuration`.
    public init(file: SafetensorsFile, configuration c: BertConfiguration) throws(StrataError) {
        configuration = c
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws(StrataError) -> [Float] {
            try file.floats(prefix + name, shape: shape)
        }
        func buffer(_ name: String, _ shape: [Int]) throws(StrataError) -> FloatBuffer {
            FloatBuffer(try tensor(name, shape))
        }
        let h = c.hidden
        wordEmbeddings = try buffer("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try buffer("embeddings.position_embeddings.weight", [c.maximumPositions, h])
        tokenTypeEmbedding = FloatBuffer(Array(try tensor("embeddings.token_type_embeddings.weight", [2, h]).prefix(h)))
        embeddingNormGamma = try buffer("embeddings.LayerNorm.weight", [h])
        embeddingNormBeta = try buffer("embeddings.LayerNorm.bias", [h])
        var layers: [Layer] = []
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            layers.append(Layer(
                qkvWeight: FloatBuffer(try tensor(p + "attention.self.query.weight", [h, h])
                    + tensor(p + "attention.self.key.weight", [h, h]) + tensor(p + "attention.self.value.weight", [h, h])),
                qkvBias: FloatBuffer(try tensor(p + "attention.self.query.bias", [h]) + tensor(p + "attention.self.key.bias", [h])
                    + tensor(p + "attention.self.value.bias", [h])),
                attentionOutputWeight: try buffer(p + "attention.output.dense.weight", [h, h]),
                attentionOutputBias: try buffer(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: try buffer(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBeta: try buffer(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: try buffer(p + "intermediate.dense.weight", [c.intermediate, h]),
                intermediateBias: try buffer(p + "intermediate.dense.bias", [c.intermediate]),
                outputWeight: try buffer(p + "output.dense.weight", [h, c.intermediate]),
                outputBias: try buffer(p + "output.dense.bias", [h]),
                outputNormGamma: try buffer(p + "output.LayerNorm.weight", [h]),
                outputNormBeta: try buffer(p + "output.LayerNorm.bias", [h])))
        }
        self.layers = layers
    }
}
