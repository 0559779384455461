import Foundation
import StrataCore

/// The tokens file (`auth.tokens_file`), one JSON object:
///
///     {"format": 1, "revision": 3, "tokens": [
///       {"name": "ci", "sha256": "<64 hex>", "scopes": ["read:docs"], "created_unix": 1767225600},
///       {"name": "old", "sha256": "<64 hex>", "scopes": ["admin"], "created_unix": 1767225000, "revoked_unix": 1767225500}]}
///
/// Only hashes: the file is no more secret than a list of names and scopes, though it is
/// still written owner-only. Reading checks everything `create` would (names, scopes, one
/// active token per name, no hash twice) and names the offending field.
extension TokenRegistry {
    public static let fileFormat = 1

    public func encodedJSON() -> [UInt8] {
        let tokens: [[String: Any]] = records.map { record in
            var object: [String: Any] = [
                "name": record.name,
                "sha256": record.hash.hex,
                "scopes": record.scopes.map(\.description),
                "created_unix": record.createdUnix,
            ]
            if let revoked = record.revokedUnix { object["revoked_unix"] = revoked }
            return object
        }
        let root: [String: Any] = ["format": Self.fileFormat, "revision": revision, "tokens": tokens]
        // Serializing plain strings, numbers and arrays cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted])
        return [UInt8](data) + [0x0A]
    }

    public init(json bytes: [UInt8], source: String) throws(StrataError) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw .invalidArgument("\(source) is not valid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else { throw .invalidArgument("\(source) must hold a JSON object") }
        guard let format = Self.integer(root["format"]), format == Int64(Self.fileFormat) else {
            throw .invalidArgument("\(source): format must be \(Self.fileFormat)")
        }
        guard let revision = Self.integer(root["revision"]), revision >= 0 else {
            throw .invalidArgument("\(source): revision must be a non-negative integer")
        }
        guard let tokens = root["tokens"] as? [Any] else { throw .invalidArgument("\(source): tokens must be an array") }
        var records: [TokenRecord] = []
        for (index, item) in tokens.enumerated() {
            let field = "\(source): tokens[\(index)]"
            guard let token = item as? [String: Any] else { throw .invalidArgument("\(field) must be an object") }
            guard let name = token["name"] as? String else { throw .invalidArgument("\(field).name must be a string") }
            do throws(StrataError) { try Self.validateName(name) } catch { throw .invalidArgument("\(field).name: \(error.message)") }
            guard let hex = token["sha256"] as? String, let hash = TokenHash(hex: hex) else {
                throw .invalidArgument("\(field).sha256 must be 64 lowercase hex digits")
            }
            guard let scopeTexts = token["scopes"] as? [String], !scopeTexts.isEmpty else {
                throw .invalidArgument("\(field).scopes must be a non-empty array of strings")
            }
            var scopes: [Scope] = []
            for text in scopeTexts {
                do throws(StrataError) { scopes.append(try Scope(parsing: text)) } catch {
                    throw .invalidArgument("\(field).scopes: \(error.message)")
                }
            }
            guard let created = Self.integer(token["created_unix"]) else {
                throw .invalidArgument("\(field).created_unix must be an integer")
            }
            var revoked: Int64?
            if let value = token["revoked_unix"] {
                guard let integer = Self.integer(value) else { throw .invalidArgument("\(field).revoked_unix must be an integer") }
                revoked = integer
            }
            let record = TokenRecord(name: name, hash: hash, scopes: Array(Set(scopes)).sorted(), createdUnix: created, revokedUnix: revoked)
            if record.isActive, records.contains(where: { $0.isActive && $0.name == name }) {
                throw .invalidArgument("\(field).name: \"\(name)\" names two active tokens")
            }
            if records.contains(where: { $0.hash == hash }) {
                throw .invalidArgument("\(field).sha256 is the hash of another token too")
            }
            records.append(record)
        }
        self.init(records: records, revision: UInt64(revision))
    }

    /// An integer from JSON, refusing booleans, fractions and numbers beyond Int64.
    private static func integer(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return number.int64Value
    }
}
