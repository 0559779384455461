import StrataCore

/// What runs an embedding model: the seam between the tokenizer and the hardware.
///
/// `CPUEmbeddingBackend` is the one built in (OpenBLAS on the CPU). A GPU backend (CUDA, or
/// ONNX Runtime's CUDA provider) would implement the same two calls over the same token ids
/// and return vectors of the same model, so a GPU machine can embed in bulk while every other
/// node keeps the CPU one: the model id stored with a namespace names the weights, not the
/// hardware. See docs/embeddings.md.
public protocol EmbeddingBackend: Sendable {
    /// The model this backend runs.
    var model: EmbedderModel { get }
    /// What runs it, for humans (status output): e.g. "cpu (OpenBLAS SkylakeX, 2 threads)".
    var description: String { get }
    /// Embeds a few sequences now, on the calling thread (a query's text: latency matters).
    func embedNow(_ sequences: [[Int32]]) throws(StrataError) -> [[Float]]
    /// Embeds a batch in the background (bulk work that must not slow the node's other work
    /// down), in order.
    func embedInBackground(_ sequences: [[Int32]]) async throws(StrataError) -> [[Float]]
}
