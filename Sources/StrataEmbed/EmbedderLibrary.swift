import StrataCore
import Synchronization

/// The embedders one process has loaded, by model id: each model is loaded once, the first
/// time a namespace needs it, and shared by queries and background work. A model that fails
/// to load is retried on the next call (the operator may install it meanwhile).
public final class EmbedderLibrary: Sendable {
    public let modelsDirectory: String
    public let threads: Int
    private let loaded = Mutex<[String: TextEmbedder]>([:])
    private let loading = Mutex(())

    public init(modelsDirectory: String, threads: Int) {
        self.modelsDirectory = modelsDirectory
        self.threads = threads
    }

    /// The embedder of model `id`, loading it if needed.
    public func embedder(_ id: String) throws(StrataError) -> TextEmbedder {
        if let embedder = loaded.withLock({ $0[id] }) { return embedder }
        let model = try EmbedderModel.named(id)
        // One load at a time: a model is ~90 MB, two threads must not both read it.
        return try loading.withLock { _ throws(StrataError) -> TextEmbedder in
            if let embedder = loaded.withLock({ $0[id] }) { return embedder }
            let embedder = try TextEmbedder.load(model, modelsDirectory: modelsDirectory, threads: threads)
            loaded.withLock { $0[id] = embedder }
            return embedder
        }
    }

    /// The embedder of `id` if it is loaded already (status reporting never loads one).
    public func loadedEmbedder(_ id: String) -> TextEmbedder? { loaded.withLock { $0[id] } }
}
