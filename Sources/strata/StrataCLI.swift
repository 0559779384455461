import ArgumentParser

/// `strata`: the command-line client of a Strata cluster.
struct StrataCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Talk to a Strata cluster: ingest, query, inspect.",
        discussion: """
            Exit codes: 0 success; 1 the operation failed (node unreachable, RPC error, bad \
            file); 3 the node answered but is not serving; 64 usage error (bad flags).
            """,
        subcommands: [NamespaceCommand.self, IngestCommand.self, SyncCommand.self, QueryCommand.self, DeleteCommand.self, StatusCommand.self,
                      NodesCommand.self, HealthCommand.self, TokensCommand.self, TokenCommand.self, MCPCommand.self]
    )
}
