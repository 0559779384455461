import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to standard error
/// (`logging.format = "json"`), for log shippers:
///
///     {"label":"strata.worker","level":"info","message":"store ready","metadata":{"chunks":"12","node":"worker-…"},"ts":"2026-11-26T10:00:00.123Z"}
///
/// Metadata keeps its shape (strings, lists, nested objects). Strata never logs user payloads
/// (document text, query text): only ids, counts, addresses and errors, so nothing here needs
/// redaction.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        let object: [String: Any] = [
            "ts": Date().formatted(Self.timestamp),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
            "metadata": merged.mapValues(Self.json),
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        // One write per line, so lines from concurrent tasks never interleave.
        FileHandle.standardError.write(data + Data([0x0A]))
    }

    /// UTC with milliseconds, e.g. 2026-11-26T10:00:00.123Z.
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// A metadata value as a JSON value of the same shape.
    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
