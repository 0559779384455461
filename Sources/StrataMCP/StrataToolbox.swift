import Foundation
import MCP
import StrataClient
import StrataCore
import StrataRPC
import StrataText
import StrataWire

/// Carries out Strata's MCP tools against a coordinator. Every call answers with a tool
/// result: what the model asked for, or (`isError`) a sentence saying what went wrong and
/// what to do about it -- never a protocol error for a problem the model can fix.
public struct StrataToolbox: Sendable {
    /// Which directories `sync_directory` may read.
    public enum SyncAccess: Sendable {
        /// Any directory the server process can read (stdio: the server runs as the user).
        case anywhere
        /// Only these directories and what is below them (an HTTP gateway's `--sync-root`).
        case below([String])
        /// None (an HTTP gateway without `--sync-root`).
        case none
    }

    public let client: CoordinatorClient
    public let syncAccess: SyncAccess

    public init(client: CoordinatorClient, syncAccess: SyncAccess) {
        self.client = client
        self.syncAccess = syncAccess
    }

    /// The same toolbox calling the coordinator with another bearer token (an HTTP client's).
    public func with(token: String?) -> StrataToolbox {
        guard let token, token != client.token else { return self }
        return StrataToolbox(client: CoordinatorClient(transport: client.transport, token: token, timeout: client.timeout), syncAccess: syncAccess)
    }

    public func call(_ name: String, _ arguments: [String: Value]?) async -> CallTool.Result {
        do {
            switch name {
            case "get_context": return try await getContext(arguments)
            case "search": return try await search(arguments)
            case "read_document": return try await readDocument(arguments)
            case "sync_directory": return try await syncDirectory(arguments)
            case "indexing_status": return try await indexingStatus(arguments)
            case "list_namespaces": return try await listNamespaces(arguments)
            case "cluster_status": return try await clusterStatus(arguments)
            default:
                return Self.failure("There is no tool named '\(name)'. The tools are \(StrataToolCatalog.all.map(\.name).joined(separator: ", ")).")
            }
        } catch let error as ToolInputError {
            return Self.failure(error.description)
        } catch {
            return Self.failure(await ToolFailure.explain(error, client: client, namespace: arguments?["namespace"]?.stringValue,
                                                          mode: arguments?["mode"]?.stringValue))
        }
    }

    static func failure(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [ToolFormatting.text(message)], isError: true)
    }

    // MARK: - Tools

    private func getContext(_ raw: [String: Value]?) async throws -> CallTool.Result {
        let arguments = try ToolArguments(tool: "get_context", raw, allowed: ["query", "namespace", "token_budget", "mode", "path_prefix", "where"])
        let query = try arguments.requiredString("query", what: "what you need context for")
        let namespace = try arguments.requiredString("namespace", what: "the namespace to search (list_namespaces shows them)")
        let budget = try arguments.integer("token_budget", in: 1...1_000_000) ?? 8192
        let request = QueryRequest(namespace: namespace, text: query, mode: try Self.mode(arguments), tokenBudget: UInt32(budget),
                                   filter: try Self.filter(arguments), order: .document)
        let answer = try await client.query(request)
        return ToolFormatting.context(answer, query: query, namespace: namespace, budget: budget)
    }

    private func search(_ raw: [String: Value]?) async throws -> CallTool.Result {
        let arguments = try ToolArguments(tool: "search", raw, allowed: ["query", "namespace", "top_k", "mode", "path_prefix", "where"])
        let query = try arguments.requiredString("query", what: "keywords or a question to search for")
        let namespace = try arguments.requiredString("namespace", what: "the namespace to search (list_namespaces shows them)")
        let topK = try arguments.integer("top_k", in: 1...100) ?? 10
        // Ranked by score, with room for every candidate's passage: the answer is a ranking.
        let request = QueryRequest(namespace: namespace, text: query, mode: try Self.mode(arguments), topK: UInt32(topK),
                                   tokenBudget: UInt32(max(8192, topK * 2048)), filter: try Self.filter(arguments), order: .score)
        let answer = try await client.query(request)
        return ToolFormatting.search(answer, query: query, namespace: namespace, topK: topK)
    }

    private func readDocument(_ raw: [String: Value]?) async throws -> CallTool.Result {
        let arguments = try ToolArguments(tool: "read_document", raw, allowed: ["namespace", "document_id", "line_start", "line_end"])
        let namespace = try arguments.requiredString("namespace", what: "the namespace the document is in")
        let id = try arguments.requiredString("document_id", what: "the document id a get_context or search result named")
        let start = try arguments.integer("line_start", in: 1...Int(UInt32.max)) ?? 1
        let end = try arguments.integer("line_end", in: 1...Int(UInt32.max))
        if let end, end < start {
            throw ToolInputError("read_document's line_end (\(end)) is below line_start (\(start)); give line_end at or after line_start, or leave it out to read to the end.")
        }
        let document = try await client.readDocument(ReadDocumentRequest(namespace: namespace, documentID: id, lineStart: UInt32(start),
                                                                          lineEnd: UInt32(end ?? 0)))
        return ToolFormatting.document(document, namespace: namespace)
    }

    private func syncDirectory(_ raw: [String: Value]?) async throws -> CallTool.Result {
        let arguments = try ToolArguments(tool: "sync_directory", raw, allowed: ["path", "namespace", "embedder"])
        let path = try arguments.requiredString("path", what: "the directory to mirror")
        let namespace = try arguments.requiredString("namespace", what: "the namespace to mirror it into")
        let root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        switch syncAccess {
        case .anywhere: break
        case .none:
            return Self.failure("This Strata MCP server does not sync directories (it was started without --sync-root). Ask the user to sync with `strata sync`, or to restart the server with --sync-root DIR.")
        case .below(let roots):
            let allowed = roots.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
            guard allowed.contains(where: { root == $0 || root.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
                return Self.failure("This server may only sync directories below \(allowed.joined(separator: ", ")); \(root) is not.")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            return Self.failure("\(root) is not a directory on the machine the Strata MCP server runs on; give an existing directory's path.")
        }
        var created = false
        if try await !client.listNamespaces().contains(where: { $0.name == namespace }) {
            _ = try await client.createNamespace(CreateNamespaceRequest(name: namespace, embedder: try arguments.string("embedder")))
            created = true
        }
        let sync = DirectorySync(client: client, options: DirectorySync.Options(namespace: namespace, root: root))
        let outcome = try await sync.run()
        return ToolFormatting.sync(outcome, root: root, created: created)
    }

    private func indexingStatus(_ raw: [String: Value]?) async throws -> CallTool.Result {
        let arguments = try ToolArguments(tool: "indexing_status", raw, allowed: ["namespace"])
        let namespace = try arguments.requiredString("namespace", what: "the namespace to report on (list_namespaces shows them)")
        let status = try await client.namespaceStatus(namespace)
        let cluster = try? await client.clusterStatus()
        return ToolFormatting.status(status, cluster: cluster, now: Date())
    }

    private func listNamespaces(_ raw: [String: Value]?) async throws -> CallTool.Result {
        _ = try ToolArguments(tool: "list_namespaces", raw, allowed: [])
        return ToolFormatting.namespaces(try await client.listNamespaces())
    }

    private func clusterStatus(_ raw: [String: Value]?) async throws -> CallTool.Result {
        _ = try ToolArguments(tool: "cluster_status", raw, allowed: [])
        return ToolFormatting.cluster(try await client.clusterStatus())
    }

    // MARK: - Shared arguments

    static func mode(_ arguments: ToolArguments) throws(ToolInputError) -> QueryMode {
        switch try arguments.choice("mode", from: ["auto", "lexical", "vector", "hybrid"], default: "auto") {
        case "lexical": .lexical
        case "vector": .vector
        case "hybrid": .hybrid
        default: .auto
        }
    }

    static func filter(_ arguments: ToolArguments) throws(ToolInputError) -> Filter {
        Filter(documentPrefix: try arguments.string("path_prefix"),
               metadataEquals: try arguments.stringMap("where").map { KeyValue(key: $0.key, value: $0.value) })
    }
}
