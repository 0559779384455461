import ArgumentParser

// Temporary root so the search branch can run its benchmark; the lead's main registers all subcommands.
struct StrataBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "strata-bench", subcommands: [SearchBench.self])
}

StrataBench.main()
