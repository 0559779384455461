import Dispatch
import Foundation

/// The entry point of `strata`. A `strata query` command line that `QueryFastPath` can read
/// runs on the main thread without ArgumentParser (its parse was about a quarter of the CPU
/// of a small query) and without Swift concurrency (each hand-over between threads is a wait
/// for a core on a busy machine); everything else, and every error, goes through
/// `StrataCLI` as before.
@main
enum StrataMain {
    static func main() {
        if let query = QueryFastPath.parse(Array(CommandLine.arguments.dropFirst())) {
            do {
                try query.runOnThisThreadAndExit()
            } catch {
                StrataCLI.exit(withError: error)
            }
            runAsync {
                do {
                    try await query.run()
                } catch {
                    // What ArgumentParser's main does with an error of `run()`.
                    StrataCLI.exit(withError: error)
                }
            }
        }
        runAsync { await StrataCLI.main() }
    }

    /// Runs `body` as an `async` main would: the main queue (the main actor) served on the
    /// main thread, exit status 0 once `body` returns.
    private static func runAsync(_ body: @escaping @Sendable () async -> Void) -> Never {
        Task {
            await body()
            exit(0)
        }
        dispatchMain()
    }
}
