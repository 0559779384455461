import Foundation
import StrataCore

/// Finds the tiktoken vocabulary files: `$STRATA_VOCAB_DIR` when set, else
/// `${XDG_DATA_HOME:-$HOME/.local/share}/strata/vocab` (where `scripts/install-deps.sh`
/// puts them).
public struct VocabularyLocator: Sendable {
    /// The directory searched.
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The locator for this process's environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> VocabularyLocator {
        if let explicit = environment["STRATA_VOCAB_DIR"], !explicit.isEmpty {
            return VocabularyLocator(directory: explicit)
        }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            dataHome = xdg
        } else {
            dataHome = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return VocabularyLocator(directory: dataHome + "/strata/vocab")
    }

    /// The path of an encoding's vocabulary file (which may not exist).
    public func path(for encoding: TiktokenEncoding) -> String {
        directory + "/" + encoding.fileName
    }

    /// Reads and parses the encoding's vocabulary, or throws `notFound` naming where it
    /// looked and how to install the files.
    public func load(_ encoding: TiktokenEncoding) throws -> BPETokenizer {
        let path = path(for: encoding)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StrataError.notFound(
                "tokenizer vocabulary \(encoding.name) not found at \(path) "
                + "(looked in $STRATA_VOCAB_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/strata/vocab); "
                + "run ./scripts/install-deps.sh to install it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StrataError(.failedPrecondition, "tokenizer vocabulary \(path) cannot be read")
        }
        return try BPETokenizer(encoding: encoding, vocabularyFile: [UInt8](data), fileName: path)
    }
}
