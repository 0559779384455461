import ArgumentParser
import Foundation
import StrataCore
import StrataRPC

/// Turns any error into one clear line on standard error and the documented exit code.
enum CLIFailure {
    static let failed: Int32 = 1
    static let notServing: Int32 = 3

    static func exit(_ error: any Error, context: String) -> ExitCode {
        let message: String
        switch error {
        case let error as RPCError where error.code == .unavailable || error.code == .deadlineExceeded:
            message = "\(context): \(error.code) (\(error.message)); is the node running?"
        case let error as RPCError:
            message = "\(context): \(error.code): \(error.message)"
        case let error as StrataError:
            message = "\(context): \(error)"
        default:
            message = "\(context): \(error)"
        }
        FileHandle.standardError.write(Data("strata: \(message)\n".utf8))
        return ExitCode(failed)
    }
}
