import ArgumentParser
import StrataCLIOptions

/// `strata query "TEXT"`: the best context under a token budget, with provenance.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Find the best context for a prompt under a token budget.")

    @OptionGroup var options: CoordinatorOptions
    @Option(name: .shortAndLong, help: "Namespace to search.") var namespace: String
    @Option(help: "Token budget of the assembled context (0: the server default).") var budget: UInt32 = 0
    @Option(help: "Candidates to rank (0: the server default).") var topK: UInt32 = 0
    @Option(help: "lexical, vector, hybrid or auto.") var mode: String = "auto"
    @Option(help: "Only documents whose id starts with this.") var prefix: String = ""
    @Option(name: .customLong("where"), help: "Only documents whose metadata has key=value (exact, case-sensitive); repeatable, all must hold.")
    var whereEquals: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The query text.") var text: String

    func validate() throws {
        try invocation.validate()
    }

    /// The parsed command line as plain values.
    var invocation: QueryInvocation {
        QueryInvocation(connection: options.settings, namespace: namespace, budget: budget, topK: topK, mode: mode, prefix: prefix,
                        whereEquals: whereEquals, json: json, text: text)
    }

    func run() async throws {
        try await invocation.run()
    }
}
