import Foundation
import StrataCore
import StrataFuzzSupport
import StrataStore

/// Seeds: real store directories written by the persistent tier itself -- fresh, with only a
/// WAL, with a flushed segment and a WAL tail, and after a drop and a delete -- and the
/// record payloads of their WAL files.
enum StoreFuzzSeeds {
    static func write(to directory: String) throws {
        for (name, steps) in scenarios {
            let disk = InMemoryDiskFuzzDouble(directory: StoreFuzzDirectory.path, files: [:])
            let tier = try PersistentTier.open(directory: StoreFuzzDirectory.path, fileSystem: disk)
            var sequence: UInt64 = 0
            for step in steps {
                switch step {
                case .put(let slot, let document):
                    sequence += 1
                    _ = try tier.apply(SlotWrite(slot: slot, sequence: sequence, operations: [put(document)]))
                case .delete(let slot, let document):
                    sequence += 1
                    _ = try tier.apply(SlotWrite(slot: slot, sequence: sequence, operations: [.deleteDocument(namespace: "docs", documentID: document)]))
                case .drop(let slot):
                    sequence += 1
                    _ = try tier.apply(SlotWrite(slot: slot, sequence: sequence, operations: [.dropNamespace(namespace: "docs")]))
                case .flush:
                    try tier.flush()
                }
            }
            tier.close()
            let files = disk.contents(of: StoreFuzzDirectory.path)
            try Data([0] + StoreFuzzDirectory.encode(files)).write(to: URL(fileURLWithPath: directory + "/" + name))
            let payloads = files.filter { $0.key.hasPrefix("wal-") }.values.flatMap(StoreFuzzDirectory.payloads(ofWAL:))
            if !payloads.isEmpty {
                try Data([1] + payloads.flatMap { FuzzInput.encodePart($0) }).write(to: URL(fileURLWithPath: directory + "/" + name + "-records"))
            }
        }
    }

    enum Step { case put(UInt32, String), delete(UInt32, String), drop(UInt32), flush }

    static let scenarios: [(String, [Step])] = [
        ("fresh", []),
        ("wal-only", [.put(1, "a.md"), .put(2, "b.md")]),
        ("segment-and-wal", [.put(1, "a.md"), .put(1, "b.md"), .flush, .put(2, "c.md"), .delete(1, "a.md")]),
        ("dropped", [.put(3, "a.md"), .flush, .drop(3), .put(3, "b.md")]),
    ]

    static func put(_ document: String) -> StoreOperation {
        let chunks = (0..<3).map { index in
            ChunkInput(text: "chunk \(index) of \(document): naïve 東京 🚀", tokenCount: 9 + index,
                       provenance: ChunkProvenance(documentID: document, byteStart: index * 40, byteEnd: index * 40 + 40, lineStart: index, lineEnd: index + 1),
                       vector: index == 1 ? nil : [0.5, -0.25, Float(index)])
        }
        let metadata = (try? DocumentMetadata(validating: [(key: "lang", value: "md")], field: "metadata")) ?? .empty
        return .putDocument(namespace: "docs", documentID: document, chunks: chunks, metadata: metadata)
    }
}
