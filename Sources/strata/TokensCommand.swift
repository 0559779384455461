import ArgumentParser
import Foundation
import StrataCore
import StrataText

/// `strata tokens FILE…`: token counts as the model will see them, to size a corpus before
/// ingesting it. Runs locally; needs no cluster.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Count the tokens of files (exactly, with the tiktoken vocabularies) and print the total.")

    @Option(help: "cl100k_base, o200k_base or estimate.") var encoding: String = TokenizerKind.cl100k.rawValue
    @Argument(help: "Files to count.") var files: [String]

    func validate() throws {
        guard TokenizerKind(rawValue: encoding) != nil else {
            throw ValidationError("--encoding must be one of \(TokenizerKind.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(encoding)\"")
        }
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
    }

    func run() throws {
        do {
            let tokenizer = try TokenizerRegistry.load(TokenizerKind(rawValue: encoding)!)
            let counter = FileTokenCounter(tokenizer: tokenizer)
            var total = 0
            let width = max(8, files.map(\.count).max() ?? 0)
            for file in files {
                let tokens = try counter.count(path: file)
                total += tokens
                print(file.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(tokens))
            }
            print("total".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(total) + "  (\(encoding))")
        } catch {
            throw CLIFailure.exit(error, context: "tokens")
        }
    }
}
