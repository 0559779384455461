import Foundation
import StrataCore
import StrataWire

/// Reads every acknowledged document back through the coordinator once the cluster is ready
/// again: one lexical query per batch (its own word, filtered to its id prefix), and each
/// document's passage compared byte for byte with what was sent. A batch whose answer is
/// degraded or incomplete is asked again (up to 5 times, a second apart) before its missing
/// documents count.
enum SoakReadBack {
    struct Result {
        var identical = 0
        var missing = 0
        var different = 0
        var examples: [String] = []

        var failures: [String] {
            guard missing + different > 0 else { return [] }
            return ["\(missing) acknowledged document(s) missing and \(different) different after the soak (e.g. \(examples.prefix(3).joined(separator: "; ")))"]
        }
    }

    static func verify(client: ClusterBench.ClusterClient, nodes: ClusterBench.ChildNodes, acknowledged: [Int: [Document]]) async throws -> Result {
        let started = ContinuousClock.now
        let batches = acknowledged.keys.sorted()
        var result = Result()
        // Four batches at a time: the coordinator answers queries concurrently.
        for group in stride(from: 0, to: batches.count, by: 4) {
            let slice = batches[group..<min(group + 4, batches.count)]
            let outcomes = await withTaskGroup(of: Result.self) { tasks in
                for batch in slice {
                    tasks.addTask { await check(batch: batch, documents: acknowledged[batch] ?? [], client: client) }
                }
                var merged = Result()
                for await outcome in tasks {
                    merged.identical += outcome.identical
                    merged.missing += outcome.missing
                    merged.different += outcome.different
                    merged.examples += outcome.examples
                }
                return merged
            }
            result.identical += outcomes.identical
            result.missing += outcomes.missing
            result.different += outcomes.different
            result.examples += outcomes.examples
        }
        print("read back \(result.identical + result.missing + result.different) acknowledged documents of \(batches.count) batches in \(format((ContinuousClock.now - started).seconds, 1)) s")
        return result
    }

    private static func check(batch: Int, documents: [Document], client: ClusterBench.ClusterClient) async -> Result {
        let request = QueryRequest(
            namespace: SoakCorpus.namespace, text: SoakCorpus.batchWord(batch), mode: .lexical, topK: UInt32(documents.count + 8),
            tokenBudget: 200_000, filter: Filter(documentPrefix: SoakCorpus.batchPrefix(batch)))
        var result = Result()
        for attempt in 1...5 {
            var found: [String: String] = [:]
            var degraded = true
            if let answer = try? await client.queryPassages(request) {
                degraded = answer.header?.degraded ?? true
                for passage in answer.passages { found[passage.provenance.documentID] = passage.text }
            }
            result = Result()
            for document in documents {
                switch found[document.id] {
                case document.text?: result.identical += 1
                case nil:
                    result.missing += 1
                    result.examples.append("\(document.id) missing\(degraded ? " (answer degraded)" : "")")
                case let other?:
                    result.different += 1
                    result.examples.append("\(document.id): \(other.utf8.count) bytes read, \(document.text.utf8.count) sent")
                }
            }
            if result.missing + result.different == 0 || attempt == 5 { break }
            try? await Task.sleep(for: .seconds(1))
        }
        return result
    }
}
