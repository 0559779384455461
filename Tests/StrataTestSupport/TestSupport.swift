import Foundation
import StrataCore

/// Helpers shared by test targets.
public enum TestSupport {
    /// The repository root (found from this file's path), for tests that read Proto/ or scripts/.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A fresh temporary directory, unique per call.
    public static func temporaryDirectory(_ prefix: String = "strata-test") -> String {
        let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
