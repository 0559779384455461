import Foundation

/// Where embedding models are installed: the configured `embedding.models_dir`, else
/// `${XDG_DATA_HOME:-$HOME/.local/share}/strata/models` (where scripts/install-model.sh puts
/// them, beside the tokenizer vocabularies).
public enum ModelsDirectory {
    public static func resolve(configured: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if !configured.isEmpty { return configured }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return dataHome + "/strata/models"
    }
}
