import CStrataSupport
import StrataCore

/// Checks a batch from outside and turns it into prepared operations (hashes computed,
/// vectors converted to FP16). Pure: nothing is stored unless every operation is valid.
enum WriteValidation {
    /// `dimensions` gives the fixed vector dimension of namespaces that have one.
    static func prepare(_ write: SlotWrite, maxChunkBytes: Int, dimensions: [String: Int]) throws(StrataError) -> [PreparedOperation] {
        var dims = dimensions
        var prepared: [PreparedOperation] = []
        prepared.reserveCapacity(write.operations.count)
        for (i, op) in write.operations.enumerated() {
            // Field names are built only when an error needs one: a 1 MiB batch has ~1000 chunks.
            func field() -> String { "operations[\(i)]" }
            switch op {
            case .putDocument(let namespace, let documentID, let chunks, let metadata):
                try checkName(namespace, field: "\(field()).namespace")
                try checkName(documentID, field: "\(field()).documentID")
                guard !chunks.isEmpty else {
                    throw .invalidArgument("\(field()).chunks is empty; delete the document instead")
                }
                var docChunks: [DocChunk] = []
                var bodies: [ChunkBody] = []
                for (j, chunk) in chunks.enumerated() {
                    func cf() -> String { "\(field()).chunks[\(j)]" }
                    guard !chunk.utf8.isEmpty else { throw .invalidArgument("\(cf()).text is empty") }
                    guard chunk.utf8.count <= maxChunkBytes else {
                        throw .resourceExhausted("\(cf()).text is \(chunk.utf8.count) bytes; the limit is \(maxChunkBytes)")
                    }
                    guard chunk.utf8.withUnsafeBytes({ strata_utf8_is_valid($0.baseAddress, $0.count) != 0 }) else {
                        throw .invalidArgument("\(cf()).text is not valid UTF-8")
                    }
                    guard chunk.tokenCount >= 0 else { throw .invalidArgument("\(cf()).tokenCount is negative (\(chunk.tokenCount))") }
                    var stored: [Float16]?
                    if let vector = chunk.vector {
                        let expected = dims[namespace] ?? vector.count
                        guard expected > 0 else { throw .invalidArgument("\(cf()).vector is empty") }
                        try VectorValidation.validate(vector, dimension: expected, field: "\(cf()).vector")
                        let half = HalfPrecision.narrow(vector)
                        // Finite Float values beyond ±65504 become Inf at FP16; refuse them rather than store Inf.
                        if let k = half.firstIndex(where: { !$0.isFinite }) {
                            throw .invalidArgument("\(cf()).vector[\(k)] is \(vector[k]), outside the FP16 range the store keeps")
                        }
                        dims[namespace] = expected
                        stored = half
                    }
                    docChunks.append(DocChunk(hash: ContentHash.of(chunk.utf8), tokenCount: chunk.tokenCount, provenance: chunk.provenance))
                    bodies.append(ChunkBody(text: chunk.utf8, vector: stored))
                }
                prepared.append(.put(.init(key: DocumentKey(namespace: namespace, documentID: documentID), chunks: docChunks, bodies: bodies, metadata: metadata)))
            case .deleteDocument(let namespace, let documentID):
                try checkName(namespace, field: "\(field()).namespace")
                try checkName(documentID, field: "\(field()).documentID")
                prepared.append(.delete(DocumentKey(namespace: namespace, documentID: documentID)))
            case .dropNamespace(let namespace):
                try checkName(namespace, field: "\(field()).namespace")
                prepared.append(.drop(namespace))
            }
        }
        return prepared
    }

    private static func checkName(_ name: String, field: @autoclosure () -> String) throws(StrataError) {
        guard !name.isEmpty else { throw .invalidArgument("\(field()) is empty") }
        guard name.utf8.count <= 4096 else { throw .invalidArgument("\(field()) is longer than 4096 bytes") }
    }
}
