import Foundation
import StrataCore

/// The start-up sequence both node executables share: resolve settings (file, then
/// environment, then flags), set up logging, start, wait for SIGTERM/SIGINT, stop gracefully.
public enum NodeLauncher {
    /// Resolves the configuration. `overrides` are (dotted key, text) pairs from flags.
    public static func resolveConfig(path: String?, overrides: [(String, String)]) throws(StrataError) -> StrataConfig {
        var config = try StrataConfig.load(path: path)
        try config.set(overrides.map { (path: $0.0, text: $0.1) })
        return config
    }

    /// config/strata.json when it exists in the working directory, else nil (built-in defaults).
    public static var defaultConfigPath: String? {
        FileManager.default.fileExists(atPath: "config/strata.json") ? "config/strata.json" : nil
    }

    /// Parses `--set key=value` arguments.
    public static func parseSetArguments(_ pairs: [String]) throws(StrataError) -> [(String, String)] {
        var result: [(String, String)] = []
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else {
                throw .invalidArgument("--set expects key=value, got \"\(pair)\"")
            }
            result.append((String(pair[..<equals]), String(pair[pair.index(after: equals)...])))
        }
        return result
    }

    /// Runs a node until a stop signal, then shuts it down. Errors at start are printed as one
    /// line and end the process with status 1.
    public static func run(name: String, config: StrataConfig, start: () async throws -> (stop: () async -> Void, address: String)) async -> Never {
        LoggingSetup.bootstrap(level: config.logging.level, format: config.logging.format)
        let signals = SignalWaiter()
        let stop: () async -> Void
        do {
            let started = try await start()
            stop = started.stop
            say("\(name): serving on \(started.address)")
        } catch {
            fail(name, error)
        }
        let signal = await signals.wait()
        say("\(name): received signal \(signal), shutting down")
        await stop()
        exit(0)
    }

    /// One line on standard output, unbuffered (scripts wait for these lines).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Prints one clear line and exits with status 1.
    public static func fail(_ name: String, _ error: any Error) -> Never {
        let message = (error as? StrataError)?.description ?? "\(error)"
        FileHandle.standardError.write(Data("\(name): \(message)\n".utf8))
        exit(1)
    }
}
