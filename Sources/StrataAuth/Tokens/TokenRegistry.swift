import StrataCore

/// Every client token the cluster issued, as a value: create, revoke, and authenticate a
/// presented secret. Pure (the caller passes the time and the secret's randomness); a
/// `TokenStore` keeps it, and the coordinator swaps in the new value after each change.
///
/// Rules:
/// - a name is 1 to 64 characters of letters, digits, '.', '_', '-', unique among active tokens
///   (a revoked token's name may be issued again; its old record stays for the audit trail);
/// - a token has at least one scope;
/// - a secret authenticates only while its record is active;
/// - `revision` grows by one on every change, so a store can refuse to overwrite a newer
///   registry with an older one (compare-and-swap in a shared store).
public struct TokenRegistry: Hashable, Sendable {
    public private(set) var records: [TokenRecord]
    public private(set) var revision: UInt64

    public init(records: [TokenRecord] = [], revision: UInt64 = 0) {
        self.records = records
        self.revision = revision
    }

    public static let empty = TokenRegistry()

    /// Records that authenticate, in creation order.
    public var activeRecords: [TokenRecord] { records.filter(\.isActive) }

    /// Registers a new token for `secret` (the caller generated it and shows it once).
    @discardableResult
    public mutating func create(name: String, scopes: [Scope], secret: TokenSecret, nowUnix: Int64) throws(StrataError) -> TokenRecord {
        try Self.validateName(name)
        guard !scopes.isEmpty else { throw .invalidArgument("token \"\(name)\" needs at least one scope") }
        guard !records.contains(where: { $0.isActive && $0.name == name }) else {
            throw StrataError(.alreadyExists, "a token named \"\(name)\" exists; revoke it first or choose another name")
        }
        let hash = secret.hash
        guard !records.contains(where: { $0.hash.matches(hash) }) else {
            // 256 random bits do not collide; a repeat means a secret was reused on purpose.
            throw StrataError(.alreadyExists, "this secret is already registered")
        }
        let record = TokenRecord(name: name, hash: hash, scopes: Array(Set(scopes)).sorted(), createdUnix: nowUnix)
        records.append(record)
        revision += 1
        return record
    }

    /// Revokes the active token named `name`; it stops authenticating at once.
    @discardableResult
    public mutating func revoke(name: String, nowUnix: Int64) throws(StrataError) -> TokenRecord {
        guard let index = records.firstIndex(where: { $0.isActive && $0.name == name }) else {
            throw .notFound("no active token named \"\(name)\"")
        }
        records[index].revokedUnix = nowUnix
        revision += 1
        return records[index]
    }

    /// The active record whose hash matches `secret`'s. Every active record is compared in
    /// constant time and the scan never stops early, so timing tells nothing about which
    /// bytes of a guess were right, nor which record matched.
    public func authenticate(_ secret: TokenSecret) -> TokenRecord? {
        let hash = secret.hash
        var found: TokenRecord?
        for record in records where record.isActive {
            if record.hash.matches(hash) { found = record }
        }
        return found
    }

    static func validateName(_ name: String) throws(StrataError) {
        guard (1...64).contains(name.utf8.count), name.utf8.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }) else {
            throw .invalidArgument("token name \"\(name)\" must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
    }
}
