import Foundation
import MCP
import StrataClient
import StrataCore
@testable import StrataMCP
import StrataRPC
import StrataWire
import Synchronization
import Testing

/// A coordinator that knows two namespaces and records the `authorization` metadata of every
/// call (a test double: the tools' real behaviour against a cluster is tested in
/// Tests/interop/test_mcp_interop.py with the official Python MCP client).
final class CoordinatorTestDouble: Sendable {
    let authorizations = Mutex<[String]>([])

    var channel: InProcessChannel {
        var service = ServiceDefinition(name: StrataServiceName.coordinator)
        service.unary("ListNamespaces", ListNamespacesRequest.self, ListNamespacesResponse.self) { [self] _, context in
            authorizations.withLock { $0.append(context.metadataValue("authorization") ?? "") }
            return ListNamespacesResponse(namespaces: ["code", "docs"].map {
                NamespaceInfo(name: $0, dimension: 0, tokenizer: .cl100k, metric: .cosine, chunkChars: 1024, chunkOverlap: 0)
            })
        }
        service.serverStreaming("Query", QueryRequest.self, QueryResponse.self) { [self] request, _, context in
            authorizations.withLock { $0.append(context.metadataValue("authorization") ?? "") }
            throw StrataError(.notFound, "namespace \(request.namespace) does not exist (create it first: strata namespace create \(request.namespace))")
        }
        return InProcessChannel(target: "127.0.0.1:7400", services: [service])
    }
}

struct StrataToolboxTests {
    /// The in-process coordinator's answers may wait long for a pool thread while the other
    /// tests of the process run (over 30 s in CI): a deadline here only stops a hang.
    static let hangGuard = Duration.seconds(300)

    private func text(_ result: CallTool.Result) -> String {
        guard case .text(let text, _, _) = result.content.first else { return "" }
        return text
    }

    @Test func everyToolHasAnObjectSchemaWhoseRequiredArgumentsExist() throws {
        #expect(Set(StrataToolCatalog.all.map(\.name)) ==
                ["get_context", "search", "read_document", "sync_directory", "indexing_status", "list_namespaces", "cluster_status"])
        for tool in StrataToolCatalog.all {
            let schema = try #require(tool.inputSchema.objectValue)
            #expect(schema["type"] == "object")
            let properties = try #require(schema["properties"]?.objectValue)
            for required in schema["required"]?.arrayValue ?? [] {
                #expect(properties[required.stringValue ?? ""] != nil, "\(tool.name) requires \(required)")
            }
            #expect((tool.description ?? "").count > 60, "\(tool.name) needs a description a model can use")
        }
    }

    @Test func badArgumentsAreToolErrorsThatSayWhatToSend() async {
        let toolbox = StrataToolbox(client: CoordinatorClient(transport: CoordinatorTestDouble().channel, timeout: Self.hangGuard), syncAccess: .none)
        let cases: [(String, [String: Value], String)] = [
            ("get_context", ["namespace": "code"], "needs the argument 'query'"),
            ("get_context", ["query": 3, "namespace": "code"], "'query' must be a string"),
            ("search", ["query": "x", "namespace": "code", "top_k": 0], "must be from 1 to 100"),
            ("search", ["query": "x", "namespace": "code", "mode": "fuzzy"], "one of auto, lexical, vector, hybrid"),
            ("get_context", ["query": "x", "namespace": "code", "where": ["team": 1]], "the value of 'team' must be a string"),
            ("read_document", ["namespace": "code", "document_id": "a", "line_start": 5, "line_end": 2], "below line_start"),
            ("list_namespaces", ["extra": true], "has no argument 'extra'"),
            ("sync_directory", ["path": "/tmp", "namespace": "code"], "does not sync directories"),
            ("no_such_tool", [:], "There is no tool named"),
        ]
        for (tool, arguments, expected) in cases {
            let result = await toolbox.call(tool, arguments)
            #expect(result.isError == true, "\(tool) \(arguments)")
            #expect(text(result).contains(expected), "\(tool): \(text(result))")
        }
    }

    @Test func anUnknownNamespaceErrorListsTheNamespacesThatExist() async {
        let toolbox = StrataToolbox(client: CoordinatorClient(transport: CoordinatorTestDouble().channel, timeout: Self.hangGuard), syncAccess: .none)
        let result = await toolbox.call("get_context", ["query": "x", "namespace": "nope"])
        #expect(result.isError == true)
        #expect(text(result) == "Namespace 'nope' does not exist. The namespaces that exist are: code, docs.")
    }

    /// The advice follows the code and the namespace list, not the message's words: a NOT_FOUND
    /// for a namespace that does exist is not called a missing namespace.
    @Test func aNotFoundInAnExistingNamespaceIsNotCalledAMissingNamespace() async {
        let toolbox = StrataToolbox(client: CoordinatorClient(transport: CoordinatorTestDouble().channel, timeout: Self.hangGuard), syncAccess: .none)
        let result = await toolbox.call("get_context", ["query": "x", "namespace": "docs"])
        #expect(result.isError == true)
        #expect(text(result).hasPrefix("Not found: "), "\(text(result))")
    }

    @Test func theBearerTokenReachesTheCoordinatorAndARequestsTokenReplacesIt() async {
        let coordinator = CoordinatorTestDouble()
        let toolbox = StrataToolbox(client: CoordinatorClient(transport: coordinator.channel, token: "gateway", timeout: Self.hangGuard), syncAccess: .none)
        _ = await toolbox.call("list_namespaces", [:])
        _ = await toolbox.with(token: "client").call("list_namespaces", [:])
        _ = await StrataToolbox(client: CoordinatorClient(transport: coordinator.channel, timeout: Self.hangGuard), syncAccess: .none).call("list_namespaces", [:])
        #expect(coordinator.authorizations.withLock { $0 } == ["Bearer gateway", "Bearer client", ""])
    }

    @Test func anUnreachableCoordinatorIsExplained() async {
        let client = CoordinatorClient(address: "127.0.0.1:1", timeout: .seconds(2))
        let result = await StrataToolbox(client: client, syncAccess: .none).call("list_namespaces", [:])
        #expect(result.isError == true && text(result).contains("is unreachable") && text(result).contains("127.0.0.1:1"))
    }

    @Test func bearerTokensAreParsedAndComparedWhole() {
        #expect(BearerToken.parse("Bearer abc") == "abc" && BearerToken.parse("bearer  abc ") == "abc")
        #expect(BearerToken.parse("Basic abc") == nil && BearerToken.parse("Bearer") == nil)
        #expect(BearerToken.matches("abc", "abc") && !BearerToken.matches("abc", "abd") && !BearerToken.matches("ab", "abc"))
    }
}
