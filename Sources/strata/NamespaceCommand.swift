import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataCore
import StrataRPC
import StrataWire

/// `strata namespace create|list|drop`.
struct NamespaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "namespace", abstract: "Create, list and drop namespaces.",
        subcommands: [Create.self, List.self, Drop.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a namespace (idempotent with the same settings).")
        @OptionGroup var options: CoordinatorOptions
        @Argument(help: "Name: letters, digits, '.', '_', '-'.") var name: String
        @Option(help: "Embedding dimension (0: lexical only).") var dimension: UInt32 = 0
        @Option(help: "cl100k_base, o200k_base or estimate.") var tokenizer: String = TokenizerKind.cl100k.rawValue
        @Option(help: "Target chunk size in characters.") var chunkChars: UInt32 = 1024
        @Option(help: "Embed the text on the server with this model (minilm-l6); the dimension is the model's. Queries then run hybrid by default.")
        var embedder: String = ""

        func validate() throws {
            guard TokenizerKind(rawValue: tokenizer) != nil else {
                throw ValidationError("--tokenizer must be one of \(TokenizerKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let request = CreateNamespaceRequest(name: name, dimension: dimension, tokenizer: TokenizerKind(rawValue: tokenizer)!, chunkChars: chunkChars,
                                                 embedder: embedder)
            let info = try await call("namespace create") {
                try NamespaceInfo(serializedBytes: await options.channel().unary(MethodPath.coordinatorCreateNamespace, request.serializedBytes(), options: options.callOptions))
            }
            print("namespace \(info.name): dimension \(info.dimension), tokenizer \(info.tokenizer.rawValue), chunks of \(info.chunkChars) chars"
                  + (info.embedder.isEmpty ? "" : ", embedded on the server by \(info.embedder)"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List namespaces with their size.")
        @OptionGroup var options: CoordinatorOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let response = try await call("namespace list") {
                try ListNamespacesResponse(serializedBytes: await options.channel().unary(MethodPath.coordinatorListNamespaces, ListNamespacesRequest().serializedBytes(), options: options.callOptions))
            }
            if json {
                let rows = response.namespaces.map { ["name": $0.name, "dimension": "\($0.dimension)", "tokenizer": $0.tokenizer.rawValue,
                                                      "documents": "\($0.documents)", "chunks": "\($0.chunks)", "tokens": "\($0.tokens)",
                                                      "embedder": $0.embedder, "embedding_backlog": "\($0.embeddingBacklog)"] }
                print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys, .prettyPrinted]), as: UTF8.self))
                return
            }
            // New columns go last: scripts read the first ones by position.
            print(Table.render(header: ["NAME", "DIMENSION", "TOKENIZER", "DOCUMENTS", "CHUNKS", "TOKENS", "EMBEDDER", "TO EMBED"],
                               rows: response.namespaces.map {
                                   [$0.name, "\($0.dimension)", $0.tokenizer.rawValue, "\($0.documents)", "\($0.chunks)", "\($0.tokens)",
                                    $0.embedder.isEmpty ? "-" : $0.embedder, $0.embedder.isEmpty ? "-" : "\($0.embeddingBacklog)"]
                               }))
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "drop", abstract: "Drop a namespace and all its data.")
        @OptionGroup var options: CoordinatorOptions
        @Argument var name: String

        func run() async throws {
            let response = try await call("namespace drop") {
                try DropNamespaceResponse(serializedBytes: await options.channel().unary(MethodPath.coordinatorDropNamespace, DropNamespaceRequest(name: name).serializedBytes(), options: options.callOptions))
            }
            print("dropped namespace \(name) (\(response.documents) documents)")
        }
    }
}

/// Runs an RPC and turns its failure into the CLI's one-line error and exit code.
func call<T>(_ context: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw CLIFailure.exit(error, context: context)
    }
}
