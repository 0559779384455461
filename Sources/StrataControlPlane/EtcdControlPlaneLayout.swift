/// Where the control plane's data lives in etcd, under one prefix (`coordinator.etcd_prefix`,
/// so several Strata clusters can share an etcd):
///
/// | key | value |
/// |---|---|
/// | `<prefix>cluster-id`, `<prefix>cluster-map`, `<prefix>sequence-ceilings`, `<prefix>restart-pending`, `<prefix>namespaces` | the record's bytes, as the local store's files hold them |
/// | `<prefix>hwm/<slot, 5 digits>` | the slot's acknowledged high-water mark, decimal |
/// | `<prefix>election/<lease id, 16 hex digits>` | a candidate coordinator's address, attached to its lease |
///
/// Pure: keys in, meanings out.
public struct EtcdControlPlaneLayout: Sendable, Equatable {
    /// Slots a key can name.
    public static let slots = 0...99_999

    /// Ends with "/".
    public let prefix: String

    /// `prefix` gets a trailing "/" if it lacks one; an empty prefix is refused.
    public init(prefix: String) throws(ControlPlaneError) {
        guard !prefix.isEmpty, !prefix.contains("\0") else {
            throw ControlPlaneError(.invalid, "etcd prefix \"\(prefix)\": give a non-empty key prefix such as /strata/")
        }
        self.prefix = prefix.hasSuffix("/") ? prefix : prefix + "/"
    }

    /// What a key under the prefix means.
    public enum Entry: Sendable, Equatable {
        case record(ControlPlaneRecord)
        case highWaterMark(slot: Int)
        case candidate
    }

    public var dataPrefix: [UInt8] { Array(prefix.utf8) }
    public var highWaterMarkPrefix: [UInt8] { Array((prefix + "hwm/").utf8) }
    public var electionPrefix: [UInt8] { Array((prefix + "election/").utf8) }

    public func key(_ record: ControlPlaneRecord) -> [UInt8] { Array((prefix + record.rawValue).utf8) }

    public func highWaterMarkKey(slot: Int) -> [UInt8] {
        let digits = String(slot)
        return highWaterMarkPrefix + Array((String(repeating: "0", count: max(0, 5 - digits.count)) + digits).utf8)
    }

    /// A candidate's key: the election prefix and its lease id in hex (unique while the
    /// lease lives, and the same after a retried campaign with the same lease).
    public func candidateKey(lease: Int64) -> [UInt8] {
        let hex = String(UInt64(bitPattern: lease), radix: 16)
        return electionPrefix + Array((String(repeating: "0", count: 16 - hex.count) + hex).utf8)
    }

    /// The meaning of `key`, or nil for a key this layout does not write (left alone).
    public func entry(_ key: [UInt8]) -> Entry? {
        let prefixBytes = dataPrefix
        guard key.count > prefixBytes.count, key.starts(with: prefixBytes) else { return nil }
        let rest = String(decoding: key[prefixBytes.count...], as: UTF8.self)
        if let record = ControlPlaneRecord(rawValue: rest) { return .record(record) }
        if rest.hasPrefix("hwm/") {
            let digits = rest.dropFirst(4)
            guard digits.count == 5, digits.allSatisfy(\.isASCII), let slot = Int(digits), Self.slots.contains(slot) else { return nil }
            return .highWaterMark(slot: slot)
        }
        if rest.hasPrefix("election/") { return .candidate }
        return nil
    }

    /// A high-water mark as stored: decimal digits.
    public static func encodeMark(_ sequence: UInt64) -> [UInt8] { Array(String(sequence).utf8) }

    public static func decodeMark(_ bytes: [UInt8], key: [UInt8]) throws(ControlPlaneError) -> UInt64 {
        guard let text = String(validating: bytes, as: UTF8.self), text.allSatisfy(\.isASCII), let value = UInt64(text) else {
            throw ControlPlaneError(.corrupt, "etcd key \(String(decoding: key, as: UTF8.self)) holds \(bytes.count) bytes that are not a decimal sequence number")
        }
        return value
    }
}
