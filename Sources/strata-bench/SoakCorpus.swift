import StrataCore
import StrataWire

/// The soak's synthetic documents and queries, all derived from one seed: a vocabulary of
/// 2,000 made-up words; batch n holds documents "soak/n/i" whose text starts with the batch's
/// own word "soakbatchN" (so the read-back finds a whole batch with one query) and goes on with
/// 30 to 60 vocabulary words. Each document is one chunk (well under the 1,024 characters the
/// estimate tokenizer's chunker takes), so a passage's text is the document's text.
struct SoakCorpus: Sendable {
    static let namespace = "soak"
    let seed: UInt64
    let documentsPerBatch: Int
    let vocabulary: [String]

    init(seed: UInt64, documentsPerBatch: Int) {
        self.seed = seed
        self.documentsPerBatch = documentsPerBatch
        var rng = SplitMix64(seed: seed)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var words = Set<String>()
        while words.count < 2000 {
            words.insert(String((0..<Int.random(in: 4...9, using: &rng)).map { _ in letters[Int.random(in: 0..<26, using: &rng)] }))
        }
        vocabulary = words.sorted()
    }

    static func batchWord(_ batch: Int) -> String { "soakbatch\(batch)" }
    static func batchPrefix(_ batch: Int) -> String { "soak/\(batch)/" }

    /// The documents of batch `batch`, the same for the same seed.
    func batch(_ batch: Int) -> [Document] {
        var rng = SplitMix64(seed: seed &+ UInt64(batch) &* 0x9E37_79B9_7F4A_7C15)
        return (0..<documentsPerBatch).map { index in
            let words = (0..<Int.random(in: 30...60, using: &rng)).map { _ in vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)] }
            return Document(id: Self.batchPrefix(batch) + "\(index)", text: ([Self.batchWord(batch)] + words).joined(separator: " "))
        }
    }

    /// A two-word query from the vocabulary.
    func query(_ rng: inout SplitMix64) -> String {
        "\(vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)]) \(vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)])"
    }
}
