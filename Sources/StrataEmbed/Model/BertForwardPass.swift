import CStrataEmbed

/// One thread's BERT encoder: runs the forward pass over a batch of token sequences and
/// returns each sequence's mean-pooled, L2-normalised embedding (sentence-transformers'
/// Transformer → Pooling(mean) → Normalize).
///
/// Sequences are packed one after another, without padding: the linear layers run over every
/// token of the batch in one matrix product each (M = all tokens), attention runs per sequence
/// and head, so no token ever attends to another sequence and no work is spent on padding.
/// Results equal an unpadded forward pass of each text alone.
///
/// Not thread-safe (`@unchecked Sendable` only so a pool can hand it from thread to thread):
/// it owns scratch buffers sized for the largest batch seen so far. The
/// weights are shared (read-only) by every pass.
final class BertForwardPass: @unchecked Sendable {
    let weights: BertWeights
    private var capacity = 0
    private var hidden = FloatBuffer(count: 0)
    private var swap = FloatBuffer(count: 0)
    private var qkv = FloatBuffer(count: 0)
    private var context = FloatBuffer(count: 0)
    private var intermediate = FloatBuffer(count: 0)
    private var scores = FloatBuffer(count: 0)

    init(weights: BertWeights) {
        self.weights = weights
    }

    private func reserve(tokens: Int, longest: Int) {
        let c = weights.configuration
        if tokens > capacity {
            capacity = tokens
            hidden = FloatBuffer(count: tokens * c.hidden)
            swap = FloatBuffer(count: tokens * c.hidden)
            qkv = FloatBuffer(count: tokens * 3 * c.hidden)
            context = FloatBuffer(count: tokens * c.hidden)
            intermediate = FloatBuffer(count: tokens * c.intermediate)
        }
        if longest * longest > scores.count { scores = FloatBuffer(count: longest * longest) }
    }

    /// Embeddings of `sequences` (token ids, each at most the model's position count long).
    func embed(_ sequences: [[Int32]]) -> [[Float]] {
        let c = weights.configuration
        let h = c.hidden
        let tokens = sequences.reduce(0) { $0 + $1.count }
        guard tokens > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }
        reserve(tokens: tokens, longest: sequences.map(\.count).max() ?? 0)
        var offsets: [Int] = []
        var position = 0
        for sequence in sequences {
            offsets.append(position)
            position += sequence.count
        }
        embedTokens(sequences)
        for layer in weights.layers {
            runLayer(layer, sequences: sequences, offsets: offsets, tokens: tokens)
        }
        return zip(sequences, offsets).map { sequence, offset in pool(offset: offset, count: sequence.count) }
    }

    /// Word + position + token-type (0) embeddings, then layer norm.
    private func embedTokens(_ sequences: [[Int32]]) {
        let h = weights.configuration.hidden
        var row = 0
        for sequence in sequences {
            for (t, id) in sequence.enumerated() {
                let out = hidden.pointer + row * h
                let word = weights.wordEmbeddings.pointer + Int(id) * h
                let place = weights.positionEmbeddings.pointer + t * h
                let type = weights.tokenTypeEmbedding.pointer
                for i in 0..<h { out[i] = word[i] + place[i] + type[i] }
                row += 1
            }
        }
        strata_embed_add_layer_norm(hidden.pointer, nil, nil, row, h, weights.embeddingNormGamma.pointer,
                                    weights.embeddingNormBeta.pointer, weights.configuration.layerNormEpsilon)
    }

    private func runLayer(_ layer: BertWeights.Layer, sequences: [[Int32]], offsets: [Int], tokens: Int) {
        let c = weights.configuration
        let h = c.hidden
        let m = Int32(tokens)
        let h3 = 3 * h
        // Query, key and value of every token in one product: row t = [q | k | v].
        strata_sgemm_nt(m, Int32(h3), Int32(h), 1, hidden.pointer, Int32(h), layer.qkvWeight.pointer, Int32(h), 0, qkv.pointer, Int32(h3))
        strata_embed_add_bias(qkv.pointer, tokens, h3, layer.qkvBias.pointer)
        let headSize = c.headSize
        let scale = 1 / Float(headSize).squareRoot()
        for (sequence, offset) in zip(sequences, offsets) {
            let length = Int32(sequence.count)
            let base = qkv.pointer + offset * h3
            for head in 0..<c.heads {
                let q = base + head * headSize
                let k = base + h + head * headSize
                let v = base + 2 * h + head * headSize
                strata_sgemm_nt(length, length, Int32(headSize), scale, q, Int32(h3), k, Int32(h3), 0, scores.pointer, length)
                strata_embed_softmax_rows(scores.pointer, Int(length), Int(length), Int(length))
                strata_sgemm_nn(length, Int32(headSize), length, 1, scores.pointer, length, v, Int32(h3), 0,
                                context.pointer + offset * h + head * headSize, Int32(h))
            }
        }
        // Attention output, residual, layer norm: into `swap`, which becomes the hidden state.
        strata_sgemm_nt(m, Int32(h), Int32(h), 1, context.pointer, Int32(h), layer.attentionOutputWeight.pointer, Int32(h), 0,
                        swap.pointer, Int32(h))
        strata_embed_add_layer_norm(swap.pointer, hidden.pointer, layer.attentionOutputBias.pointer, tokens, h,
                                    layer.attentionNormGamma.pointer, layer.attentionNormBeta.pointer, c.layerNormEpsilon)
        // Feed-forward: GELU(x·W1ᵀ + b1)·W2ᵀ + b2, residual, layer norm: back into `hidden`.
        strata_sgemm_nt(m, Int32(c.intermediate), Int32(h), 1, swap.pointer, Int32(h), layer.intermediateWeight.pointer, Int32(h), 0,
                        intermediate.pointer, Int32(c.intermediate))
        strata_embed_bias_gelu(intermediate.pointer, tokens, c.intermediate, layer.intermediateBias.pointer)
        strata_sgemm_nt(m, Int32(h), Int32(c.intermediate), 1, intermediate.pointer, Int32(c.intermediate), layer.outputWeight.pointer,
                        Int32(c.intermediate), 0, hidden.pointer, Int32(h))
        strata_embed_add_layer_norm(hidden.pointer, swap.pointer, layer.outputBias.pointer, tokens, h,
                                    layer.outputNormGamma.pointer, layer.outputNormBeta.pointer, c.layerNormEpsilon)
    }

    /// The mean of a sequence's final hidden states (every token: the attention mask covers
    /// them all), scaled to unit length.
    private func pool(offset: Int, count: Int) -> [Float] {
        let h = weights.configuration.hidden
        var sum = [Double](repeating: 0, count: h)
        for t in 0..<count {
            let row = hidden.pointer + (offset + t) * h
            for i in 0..<h { sum[i] += Double(row[i]) }
        }
        var norm: Double = 0
        for i in 0..<h {
            sum[i] /= Double(count)
            norm += sum[i] * sum[i]
        }
        let inverse = norm > 0 ? 1 / norm.squareRoot() : 0
        return sum.map { Float($0 * inverse) }
    }
}
