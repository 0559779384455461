import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataWire
import Testing

@Suite(.serialized) struct QueryTests {
    private static let documents = [
        Document(id: "net/http_client.py", text: "def fetch_url(url):\n    \"\"\"Download a web page over HTTP and return its body.\"\"\"\n    return urlopen(url).read()\n"),
        Document(id: "text/json_tools.py", text: "def parse_json(text):\n    \"\"\"Parse a JSON document from a string.\"\"\"\n    return json.loads(text)\n"),
        Document(id: "math/primes.py", text: "def is_prime(n):\n    \"\"\"Tell whether n is a prime number.\"\"\"\n    return all(n % d for d in range(2, n))\n"),
    ]

    private func passages(_ items: [QueryResponse]) -> [Passage] {
        items.compactMap { if case .passage(let p) = $0 { return p } else { return nil } }
    }

    @Test func lexicalQueryFindsTheRightDocumentWithProvenanceUnderTheBudget() async throws {
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", tokenizer: .cl100k))
        _ = try await cluster.ingest([IngestRequest(namespace: "code", documents: Self.documents)])
        // A repeated word ("a") once broke the statistics exchange: the workers count distinct terms.
        let items = try await cluster.query(QueryRequest(namespace: "code", text: "parse a json document from a string", topK: 3, tokenBudget: 200, order: .score))
        guard case .header(let header) = items.first else { Issue.record("no header first"); return }
        #expect(!header.degraded)
        #expect(header.mode == .lexical)
        let found = passages(items)
        #expect(found.first?.provenance.documentID == "text/json_tools.py")
        #expect(found.first?.provenance.lineStart == 1)
        guard case .summary(let summary) = items.last else { Issue.record("no summary last"); return }
        #expect(summary.tokens <= 200)
        #expect(summary.rendered.contains("### text/json_tools.py"))
        await cluster.stop()
    }

    @Test func aSlotWithoutLiveReplicaMakesTheAnswerDegradedNotShort() async throws {
        let cluster = try await SmallCluster(workers: 2, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", tokenizer: .estimate))
        // 32 documents over 8 slots: both workers hold written slots (all on one worker has
        // odds of about 1 in 2^31).
        let many = (0..<32).map { Document(id: "doc-\($0).txt", text: "prime number \($0)") }
        _ = try await cluster.ingest([IngestRequest(namespace: "code", documents: many)])
        await cluster.workers[1].shutdown()  // its slots have no other replica
        let items = try await cluster.query(QueryRequest(namespace: "code", text: "prime number", topK: 3, tokenBudget: 500))
        guard case .header(let header) = items.first else { Issue.record("no header first"); return }
        #expect(header.degraded)
        #expect(!header.missingSlots.isEmpty)
        #expect(header.degradedReason.contains("no live replica"))
        await cluster.stop()
    }

    @Test func badQueriesNameTheField() async throws {
        let cluster = try await SmallCluster(workers: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "v", dimension: 3, tokenizer: .estimate))
        let cases: [(QueryRequest, StatusCode, String)] = [
            (QueryRequest(namespace: "v", text: "   "), .invalidArgument, "text is empty"),
            (QueryRequest(namespace: "v", vector: [1, 2], mode: .vector), .invalidArgument, "vector has 2 dimensions"),
            (QueryRequest(namespace: "v", vector: [1, .nan, 2], mode: .vector), .invalidArgument, "vector[1]"),
            (QueryRequest(namespace: "v", text: "x", topK: 100_000), .outOfRange, "top_k"),
            (QueryRequest(namespace: "v", text: "x", tokenBudget: 2_000_000), .outOfRange, "token_budget"),
            (QueryRequest(namespace: "missing", text: "x"), .notFound, "namespace missing"),
        ]
        for (request, code, words) in cases {
            let error = await #expect(throws: RPCError.self) { _ = try await cluster.query(request) }
            #expect(error?.code == code)
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "") lacks \(words)")
        }
        await cluster.stop()
    }
}
