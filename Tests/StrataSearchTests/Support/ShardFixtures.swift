import StrataCore

@testable import StrataSearch

/// Builders for chunk references and shards used across the suites.
enum ShardFixtures {
    static func ref(_ document: String, _ ordinal: Int32 = 0) -> ChunkRef {
        var hasher = Hasher()
        hasher.combine(document)
        hasher.combine(ordinal)
        return ChunkRef(
            documentID: document, ordinal: ordinal,
            contentHash: ContentHash(high: UInt64(ordinal), low: UInt64(bitPattern: Int64(document.utf8.count))))
    }

    static func chunk(
        _ document: String, _ ordinal: Int32 = 0, _ text: String, metadata: [String: String] = [:],
        vector: [Float]? = nil
    ) -> IndexedChunk {
        IndexedChunk(ref: ref(document, ordinal), text: text, metadata: metadata, vector: vector)
    }

    /// A small corpus of code-like and prose chunks, one chunk per document.
    static let corpus: [(String, String)] = [
        (
            "src/http/request.swift",
            "func parseHTTPRequest(_ bytes: [UInt8]) throws -> HTTPRequest { let header = readHeader(bytes) }"
        ),
        ("src/http/response.swift", "struct HTTPResponse { var statusCode: Int; var headers: [String: String] }"),
        ("src/store/wal.swift", "final class WriteAheadLog { func append(frame: Frame) throws { fsync(fd) } }"),
        ("src/store/segment.swift", "struct Segment { let fileHandle: FileHandle; func read_chunk(at offset: Int) }"),
        ("docs/intro.md", "Strata is a distributed context store. It keeps chunks in tiers and answers searches."),
        ("docs/ops.md", "Operators restart a worker; the coordinator restores replication of its slots."),
        ("lib/util.py", "def read_file(path):\n    with open(path) as f:\n        return f.read()"),
        ("lib/net.py", "def open_socket(host, port):\n    return socket.create_connection((host, port))"),
    ]

    static func shard(_ pairs: [(String, String)] = corpus, settings: SearchSettings = SearchSettings()) throws
        -> SearchShard
    {
        var shard = try SearchShard(settings: settings)
        for (document, text) in pairs {
            try shard.upsert(documentID: document, chunks: [chunk(document, 0, text)])
        }
        return shard
    }
}
