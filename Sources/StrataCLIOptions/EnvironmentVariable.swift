#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one environment variable (`getenv`): what `ProcessInfo.processInfo.environment[name]`
/// gives, without building Foundation's `ProcessInfo` and a dictionary of the whole
/// environment, which was a visible share of a small `strata query`'s CPU.
enum EnvironmentVariable {
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
