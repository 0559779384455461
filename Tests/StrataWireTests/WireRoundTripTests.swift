import Foundation
import StrataCore
import StrataRPC
import StrataWire
import Testing

/// Fully populated values of every message of the contract: every field non-default, unicode
/// in strings, repeated fields with several elements (and empty ones in `sparse` variants).
enum WireFixtures {
    static let unicode = "naïve — 東京 🚀 Ωμέγα"
    static let hash = ContentHash(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
    static let provenance = ChunkProvenance(documentID: "src/ünïcode/東京.swift", byteStart: 10, byteEnd: 4_000_000_000,
                                            lineStart: 2, lineEnd: 99)
    static let metadata = [KeyValue(key: "lang", value: "swift"), KeyValue(key: "作者", value: "José 🚀"), KeyValue(key: "", value: "empty key")]

    static let chunk = ChunkMessage(namespace: "ns.λ", contentHash: hash, provenance: provenance, ordinal: 7,
                                    text: "func ƒ() { return \"\(unicode)\" }", tokenCount: 42,
                                    vector: [0.5, -1.25, 3e-7, .greatestFiniteMagnitude], metadata: metadata)
    static let sparseChunk = ChunkMessage(namespace: "ns", contentHash: ContentHash(high: 0, low: 1),
                                          provenance: provenance, ordinal: 0, text: "", tokenCount: 0)

    static let documents = [
        Document(id: "docs/readme.md", text: "# Title\n\(unicode)\n", metadata: metadata),
        Document(id: "emb/ü.txt", chunks: [
            ChunkInput(text: unicode, vector: [1, 2, 3], provenance: provenance),
            ChunkInput(text: "second"),
        ], metadata: [KeyValue(key: "k", value: "v")]),
        Document(id: "empty"),
    ]

    static let filter = Filter(documentPrefix: "src/東", metadataEquals: metadata)

    static let tier: TierStats = {
        var stats = TierStats(tier: .warm, backend: "shm", precision: .float16, eviction: .lru)
        stats.entries = 10
        stats.tokens = 20
        stats.bytesUsed = 30
        stats.capacityBytes = 40
        stats.capacityTokens = 50
        stats.hits = 60
        stats.misses = 70
        stats.promotions = 80
        stats.demotions = 90
        stats.evictions = 100
        return stats
    }()

    static let slots = [SlotPosition(slot: 3, sequence: 99, chunks: 12, tokens: 3400),
                        SlotPosition(slot: 4095, sequence: .max, chunks: 1, tokens: 2)]

    static func node(_ id: String) -> NodeStatusReport {
        NodeStatusReport(nodeID: id, role: .worker, address: "10.0.0.1:7001", zone: "zone-ä", state: .serving,
                         version: "0.1.0", uptimeSeconds: 12.5, startedAtUnix: 1_700_000_000, tiers: [tier, tier],
                         walBytes: 1, segmentBytes: 2, slots: slots, metricsAddress: "10.0.0.1:9100",
                         notes: ["hot tier emulated in host memory: no GPU", unicode], requestsServed: 77)
    }

    static let directives = [
        SlotDirective(slot: 1, action: .serve),
        SlotDirective(slot: 2, action: .fetch, sourceAddress: "w2:7001", fromSequence: 55, rateLimitBytesPerSecond: 1 << 30),
        SlotDirective(slot: 3, action: .drop),
    ]

    static let writes = [
        SlotWrite(sequence: 1, namespace: "ns", operation: .put(PutDocument(documentID: "a/東.md", metadata: metadata,
                                                                              chunks: [chunk, sparseChunk]))),
        SlotWrite(sequence: 2, namespace: "ns", operation: .put(PutDocument(documentID: "bare"))),
        SlotWrite(sequence: 3, namespace: "ns", operation: .deleteDocument(id: "a/東.md")),
        SlotWrite(sequence: 4, namespace: "ns", operation: .deleteDocument(id: "")),
        SlotWrite(sequence: .max, namespace: unicode, operation: .dropNamespace),
    ]

    static let statistics = LexicalStatistics(chunkCount: 1000, totalLength: 123_456, documentFrequencies: [3, 0, 999])
}

/// Encode → decode gives back an equal value, for every message of the contract.
@Suite struct WireRoundTripTests {
    typealias F = WireFixtures

    /// Round trips `value` and checks that the re-encoding is byte-identical (deterministic).
    func roundTrip<M: RPCMessage & Equatable>(_ value: M, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = value.serializedBytes()
        let decoded = try M(serializedBytes: bytes)
        #expect(decoded == value, sourceLocation: sourceLocation)
        #expect(decoded.serializedBytes() == bytes, sourceLocation: sourceLocation)
    }

    @Test func commonMessages() throws {
        try roundTrip(F.chunk)
        try roundTrip(F.sparseChunk)
    }

    @Test func contentHashIsSixteenBigEndianBytesHighFirst() throws {
        let bytes = F.chunk.serializedBytes()
        // Field 2, length-delimited, 16 bytes, then the hash itself.
        let expected: [UInt8] = [0x12, 16, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
                                 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10]
        #expect(bytes.indices.contains { bytes[$0...].starts(with: expected) })
    }

    @Test func namespaceMessages() throws {
        for tokenizer in TokenizerKind.allCases {
            for metric in Metric.allCases {
                try roundTrip(CreateNamespaceRequest(name: "ns-\(tokenizer.rawValue)", dimension: 384, tokenizer: tokenizer,
                                                     metric: metric, chunkChars: 2048, chunkOverlap: 128))
            }
        }
        let info = NamespaceInfo(name: "ns.λ", dimension: 768, tokenizer: .o200k, metric: .dot, chunkChars: 1024,
                                 chunkOverlap: 64, documents: 5, chunks: 50, tokens: 5000, createdAtUnix: -12)
        try roundTrip(info)
        try roundTrip(ListNamespacesRequest())
        try roundTrip(ListNamespacesResponse(namespaces: [info, info, NamespaceInfo(name: "x", dimension: 0, tokenizer: .estimate,
                                                                                     metric: .cosine, chunkChars: 0, chunkOverlap: 0)]))
        try roundTrip(ListNamespacesResponse(namespaces: []))
        try roundTrip(DropNamespaceRequest(name: F.unicode))
        try roundTrip(DropNamespaceResponse(documents: .max))
    }

    @Test func ingestAndDeleteMessages() throws {
        try roundTrip(IngestRequest(namespace: "ns", documents: F.documents))
        try roundTrip(IngestRequest(namespace: "ns", documents: []))
        try roundTrip(IngestSummary(documents: 3, chunks: 30, tokens: 3000, duplicateChunks: 4,
                                    rejected: [DocumentError(documentID: "../etc", reason: "id must not contain \"..\""),
                                               DocumentError(documentID: "東", reason: F.unicode)],
                                    seconds: 1.75))
        try roundTrip(IngestSummary(documents: 1, chunks: 1, tokens: 1, seconds: 0.001))
        try roundTrip(DeleteDocumentsRequest(namespace: "ns", documentIDs: ["a", F.unicode, ""]))
        try roundTrip(DeleteDocumentsRequest(namespace: "ns", documentIDs: []))
        try roundTrip(DeleteDocumentsResponse(deleted: 2, notFound: ["missing/ü", "x"]))
        try roundTrip(DeleteDocumentsResponse(deleted: 0))
    }

    @Test func queryMessages() throws {
        for mode in QueryMode.allCases {
            for order in ContextOrder.allCases {
                try roundTrip(QueryRequest(namespace: "ns", text: F.unicode, vector: [0.25, -0.5], mode: mode, topK: 50,
                                           tokenBudget: 1_000_000, filter: F.filter, order: order, lexicalWeight: 0.3))
            }
        }
        try roundTrip(QueryRequest(namespace: "ns"))
        try roundTrip(QueryResponse.header(QueryHeader(mode: .hybrid, degraded: true, missingSlots: [1, 4095, 0],
                                                       degradedReason: "slots 1, 4095 have no live replica — \(F.unicode)")))
        try roundTrip(QueryResponse.header(QueryHeader(mode: .lexical)))
        try roundTrip(QueryResponse.header(QueryHeader(mode: .lexical, stale: true, staleReason: "etcd gone \(F.unicode)")))
        try roundTrip(QueryResponse.passage(Passage(provenance: F.provenance, score: 0.875, tokens: 321, text: F.unicode, rank: 3)))
        try roundTrip(QueryResponse.passage(Passage(provenance: F.provenance, score: 0.5, tokens: 7, text: "x", rank: 1,
                                                    metadata: [KeyValue(key: "lang", value: "en"), KeyValue(key: "作者", value: F.unicode),
                                                               KeyValue(key: "empty", value: "")])))
        try roundTrip(QueryResponse.passage(Passage()))
        try roundTrip(QueryResponse.textFragment(F.unicode))
        try roundTrip(QueryResponse.textFragment(""))
        try roundTrip(QueryResponse.summary(QuerySummary(passages: 9, tokens: 8000, candidates: 40, searchMs: 1.5,
                                                         assembleMs: 0.25, rendered: "<doc>\(F.unicode)</doc>")))
        try roundTrip(QueryResponse.summary(QuerySummary()))
    }

    @Test func clusterStatusMessages() throws {
        try roundTrip(ClusterStatusRequest())
        try roundTrip(ClusterStatusResponse(
            clusterID: "c-ü", slotCount: 4096, replicationFactor: 3, writeQuorum: 2,
            nodes: [F.node("w1"), F.node("w2")], slotsFullyReplicated: 4000, slotsUnderReplicated: 90,
            slotsUnavailable: 6,
            transfers: [SlotTransfer(slot: 7, sourceNode: "w1", targetNode: "w3", bytesCopied: 10, bytesTotal: 100,
                                     recordsCopied: 5, startedAtUnix: 1_700_000_001, recordsTotal: 9),
                        SlotTransfer(slot: 8, sourceNode: "", targetNode: "東")],
            mapVersion: 42))
        try roundTrip(ClusterStatusResponse(clusterID: "c", slotCount: 1, replicationFactor: 1, writeQuorum: 1))
        try roundTrip(NodeStatusMessage(F.node("w9")))
        var coordinator = F.node("c1")
        coordinator.controlPlane = ControlPlaneStatus(role: .follower, epoch: 17, leaderAddress: "10.0.0.2:7400", leaseSafeMs: 0,
                                                      etcdEndpoints: ["e1:2379", "e2:2379"], confirmedMsAgo: 4_200, stale: true)
        try roundTrip(NodeStatusMessage(coordinator))
        coordinator.controlPlane = ControlPlaneStatus(role: .local, epoch: 3)
        try roundTrip(NodeStatusMessage(coordinator))
    }

    @Test func membershipMessages() throws {
        try roundTrip(RegisterRequest(nodeID: "w1", address: "10.0.0.1:7001", zone: "ä",
                                      capacity: Capacity(hotBytes: 1, warmBytes: 2, coldBytes: 3, diskFreeBytes: 4, weight: 2.5),
                                      slots: F.slots, incarnation: 9))
        try roundTrip(RegisterRequest(nodeID: "w1", address: "a:1", incarnation: 1))
        try roundTrip(RegisterResponse(clusterID: "c-東", heartbeatIntervalMs: 500, mapVersion: 3, directives: F.directives))
        try roundTrip(RegisterResponse(clusterID: "c", heartbeatIntervalMs: 1, mapVersion: 0))
        try roundTrip(HeartbeatRequest(nodeID: "w1", incarnation: 2, slots: F.slots, tiers: [F.tier],
                                       walBytes: 1 << 40, segmentBytes: 1 << 41))
        try roundTrip(HeartbeatRequest(nodeID: "w1", incarnation: 2))
        try roundTrip(HeartbeatResponse(mapVersion: 4, directives: F.directives, reregister: true))
        try roundTrip(HeartbeatResponse(mapVersion: 4))
    }

    @Test func workerWriteMessages() throws {
        try roundTrip(ApplyWritesRequest(slot: 17, writes: F.writes))
        try roundTrip(ApplyWritesRequest(slot: 17, writes: []))
        try roundTrip(ApplyWritesResponse(durableSequence: 99, duplicates: 2, duplicateChunks: 5))
        try roundTrip(StreamSlotRequest(slot: 3, afterSequence: 1234))
        for write in F.writes { try roundTrip(SlotRecord.write(write)) }
        try roundTrip(SlotRecord.endSequence(777))
        try roundTrip(SlotRecord.endSequence(0))
    }

    @Test func workerSearchMessages() throws {
        try roundTrip(CollectStatisticsRequest(namespace: "ns", slots: [1, 2, 3], terms: ["fn", "東京", "🚀"], filter: F.filter))
        try roundTrip(CollectStatisticsRequest(namespace: "ns", slots: [], terms: []))
        try roundTrip(F.statistics)
        try roundTrip(LexicalStatistics())
        try roundTrip(WorkerSearchRequest(namespace: "ns", slots: [9, 10], text: F.unicode, vector: [1, -1, 0.5], mode: .vector,
                                          topK: 20, filter: F.filter, globalStatistics: F.statistics, lexicalWeight: 0.7,
                                          includeText: true))
        try roundTrip(WorkerSearchRequest(namespace: "ns", slots: []))
        try roundTrip(WorkerSearchResponse(candidates: [
            Candidate(chunk: F.chunk, score: 0.9, lexicalScore: 12.5, vectorScore: 0.8, lexicalRank: 1, vectorRank: 2),
            Candidate(chunk: F.sparseChunk, score: -0.1),
        ], missingSlots: [5, 6]))
        try roundTrip(WorkerSearchResponse(candidates: []))
        try roundTrip(FetchChunksRequest(namespace: "ns", contentHashes: [F.hash, ContentHash(high: 0, low: 0), ContentHash(high: .max, low: .max)]))
        try roundTrip(FetchChunksRequest(namespace: "ns", contentHashes: []))
    }

    @Test func absentFieldsReadAsProtoDefaults() throws {
        // Only field 1 (namespace "n") of QueryRequest: no filter, no vector, AUTO, DOCUMENT order.
        let query = try QueryRequest(serializedBytes: [0x0A, 1, 0x6E])
        #expect(query == QueryRequest(namespace: "n"))
        // An empty tokenizer means cl100k_base.
        #expect(try CreateNamespaceRequest(serializedBytes: []).tokenizer == .cl100k)
        // A chunk input without provenance has an all-zero one.
        let ingest = try IngestRequest(serializedBytes: [0x12, 4, 0x1A, 2, 0x0A, 0])
        #expect(ingest.documents == [Document(id: "", chunks: [ChunkInput(text: "")])])
        #expect(ingest.documents[0].chunks[0].provenance == ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 0, lineStart: 0, lineEnd: 0))
    }

    @Test func everyRPCOfTheProtoFilesHasAMethodPath() throws {
        let paths: Set = [
            MethodPath.coordinatorCreateNamespace, MethodPath.coordinatorListNamespaces, MethodPath.coordinatorDropNamespace,
            MethodPath.coordinatorIngest, MethodPath.coordinatorDeleteDocuments, MethodPath.coordinatorQuery,
            MethodPath.coordinatorClusterStatus, MethodPath.coordinatorNodeStatus, MethodPath.membershipRegisterWorker,
            MethodPath.membershipHeartbeat, MethodPath.workerApplyWrites, MethodPath.workerCollectStatistics,
            MethodPath.workerSearch, MethodPath.workerFetchChunks, MethodPath.workerStreamSlot, MethodPath.workerStatus,
            MethodPath.healthCheck, MethodPath.healthWatch, MethodPath.coordinatorListDocuments,
            MethodPath.coordinatorReadDocument, MethodPath.coordinatorRecordSync, MethodPath.coordinatorNamespaceStatus,
            MethodPath.workerFetchDocument,
            MethodPath.workerListPendingEmbeddings,
        ]
        // The contract itself, read from Proto/: "service X {" then "rpc Y(".
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var declared: Set<String> = []
        for (package, file) in [("strata.v1", "strata/v1/coordinator.proto"), ("strata.v1", "strata/v1/membership.proto"),
                                ("strata.v1", "strata/v1/worker.proto"), ("grpc.health.v1", "grpc/health/v1/health.proto")] {
            let text = try String(contentsOf: root.appendingPathComponent("Proto/\(file)"), encoding: .utf8)
            var service = ""
            for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if line.hasPrefix("service ") { service = String(line.dropFirst(8).prefix { $0 != " " && $0 != "{" }) }
                if line.hasPrefix("rpc ") { declared.insert("/\(package).\(service)/\(line.dropFirst(4).prefix { $0 != "(" && $0 != " " })") }
            }
        }
        #expect(declared.count == 24)
        #expect(paths == declared)
    }
}
