import Foundation
import StrataCore
import StrataWire

/// The chunks of `strata-bench service`: a prefix (whole documents) of a chunk file written
/// by `strata-bench corpus`, with the vector of each chunk from a float32 file, grouped into
/// the pre-chunked documents a client that embeds on its side sends.
final class ServiceCorpus: CustomStringConvertible, @unchecked Sendable {
    /// One line of the chunk file.
    struct ChunkLine: Decodable {
        let doc: String
        let ord: Int
        let b0: Int
        let b1: Int
        let l0: Int
        let l1: Int
        let tokens: Int
        let synthetic: Bool
        let text: String
    }

    private(set) var documents: [Document] = []
    private(set) var chunkCount = 0
    private(set) var tokens = 0
    private(set) var textBytes = 0
    private(set) var syntheticChunks = 0
    let dimension: Int
    /// For each document id, its chunks' byte ranges and global indexes (in file order).
    private var ranges: [String: [(start: Int, end: Int, index: Int)]] = [:]

    init(chunkFile: String, limitTokens: Int, vectors: String?, dimension: Int) throws {
        self.dimension = vectors == nil ? 0 : dimension
        guard let data = FileManager.default.contents(atPath: chunkFile) else {
            throw ClusterBench.BenchFailure("cannot read --chunks \(chunkFile)")
        }
        let decoder = JSONDecoder()
        var lines: [ChunkLine] = []
        var lineStart = data.startIndex
        while lineStart < data.endIndex {
            let lineEnd = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            if lineEnd > lineStart {
                let line = try decoder.decode(ChunkLine.self, from: data[lineStart..<lineEnd])
                // Whole documents only: stop at the first document that starts past the limit.
                if limitTokens > 0, line.ord == 0, tokens >= limitTokens { break }
                lines.append(line)
                tokens += line.tokens
            }
            lineStart = lineEnd + 1
        }
        var floats: Data?
        if let vectors {
            guard let file = FileManager.default.contents(atPath: vectors) else { throw ClusterBench.BenchFailure("cannot read --vectors \(vectors)") }
            guard file.count >= lines.count * dimension * 4 else {
                throw ClusterBench.BenchFailure("--vectors \(vectors) holds \(file.count / (dimension * 4)) rows of \(dimension); \(lines.count) chunks need one each")
            }
            floats = file
        }
        var current: Document?
        for (index, line) in lines.enumerated() {
            if current?.id != line.doc {
                if let done = current { documents.append(done) }
                current = Document(id: line.doc)
            }
            var vector: [Float] = []
            if let floats {
                vector = floats.withUnsafeBytes { raw in
                    (0..<dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: (index * dimension + $0) * 4, as: UInt32.self))) }
                }
            }
            let provenance = ChunkProvenance(documentID: line.doc, byteStart: line.b0, byteEnd: line.b1, lineStart: line.l0, lineEnd: line.l1)
            current?.chunks.append(ChunkInput(text: line.text, vector: vector, provenance: provenance))
            ranges[line.doc, default: []].append((line.b0, line.b1, index))
            textBytes += line.text.utf8.count
            if line.synthetic { syntheticChunks += 1 }
        }
        if let done = current { documents.append(done) }
        chunkCount = lines.count
    }

    var description: String {
        "\(documents.count) documents, \(chunkCount) chunks, \(tokens) tokens, \(format(Double(textBytes) / 1e6, 1)) MB of chunk text"
            + (syntheticChunks > 0 ? " (\(syntheticChunks) chunks from the SYNTHETIC tail)" : "")
            + (dimension > 0 ? ", \(dimension)-dim vectors supplied" : ", no vectors")
    }

    /// The indexes (in the chunk file) of the chunks a passage covers.
    func chunkIndexes(of provenance: ChunkProvenance) -> [Int] {
        (ranges[provenance.documentID] ?? []).filter { $0.start >= provenance.byteStart && $0.end <= provenance.byteEnd }.map(\.index)
    }

    /// Batches of whole documents of about `bytes` of text each.
    func batches(bytes: Int) -> [[Document]] {
        var result: [[Document]] = []
        var batch: [Document] = []
        var size = 0
        for document in documents {
            batch.append(document)
            size += document.chunks.reduce(0) { $0 + $1.text.utf8.count + $1.vector.count * 4 }
            if size >= bytes {
                result.append(batch)
                batch = []
                size = 0
            }
        }
        if !batch.isEmpty { result.append(batch) }
        return result
    }

    /// One query of the query file.
    struct QueryLine: Decodable {
        let text: String
        let vector: [Float]?
    }

    static func loadQueries(_ path: String) throws -> [QueryLine] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ClusterBench.BenchFailure("cannot read --queries \(path)") }
        return try data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }.map { try JSONDecoder().decode(QueryLine.self, from: Data($0)) }
    }
}
