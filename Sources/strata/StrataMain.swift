/// The entry point of `strata`. A `strata query` command line that `QueryFastPath` can read
/// runs without ArgumentParser (its parse was about a quarter of the CPU of a small query);
/// everything else, and every error, goes through `StrataCLI` as before.
@main
enum StrataMain {
    static func main() async {
        if let query = QueryFastPath.parse(Array(CommandLine.arguments.dropFirst())) {
            do {
                try await query.run()
            } catch {
                // What ArgumentParser's main does with an error of `run()`.
                StrataCLI.exit(withError: error)
            }
            return
        }
        await StrataCLI.main()
    }
}
