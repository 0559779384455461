import Foundation
import StrataCore

/// JSON persistence. The shell writes `encodedJSON()` to a temporary file, fsyncs it, renames
/// it over the old map and fsyncs the directory; on start it calls `ClusterMap(json:)`.
/// Decoding checks the format version and the map's internal consistency, so a damaged or
/// foreign file is refused with the field named instead of being half-loaded.
extension ClusterMap: Codable {
    enum CodingKeys: String, CodingKey {
        case formatVersion, slotCount, replicationFactor, version, slots, workers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(Int.self, forKey: .formatVersion)
        guard format == ClusterMap.currentFormatVersion else {
            throw StrataError.failedPrecondition(
                "cluster map formatVersion: \(format) is not supported (this build reads \(ClusterMap.currentFormatVersion))")
        }
        try self.init(
            slotCount: try container.decode(Int.self, forKey: .slotCount),
            replicationFactor: try container.decode(Int.self, forKey: .replicationFactor))
        version = try container.decode(UInt64.self, forKey: .version)
        slots = try container.decode([SlotAssignment].self, forKey: .slots)
        var list = try container.decode([WorkerRecord].self, forKey: .workers)
        // Before the map assigned incarnations, a stray heartbeat could set one to 2^64-1 and
        // have it persisted; such a worker starts over (its next registration assigns 1).
        for index in list.indices where list[index].incarnation > MembershipLimits.maximumSequence {
            list[index].incarnation = 0
        }
        workers = Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard workers.count == list.count else {
            throw StrataError.invalidArgument("cluster map workers: a worker id appears twice")
        }
        try validate()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ClusterMap.currentFormatVersion, forKey: .formatVersion)
        try container.encode(slotCount, forKey: .slotCount)
        try container.encode(replicationFactor, forKey: .replicationFactor)
        try container.encode(version, forKey: .version)
        try container.encode(slots, forKey: .slots)
        // An array sorted by id: stable bytes for the same map.
        try container.encode(workers.values.sorted { $0.id < $1.id }, forKey: .workers)
    }

    /// The map as deterministic JSON (sorted keys).
    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes a map written by `encodedJSON()`; a malformed file becomes a StrataError.
    public init(json: Data) throws {
        do {
            self = try JSONDecoder().decode(ClusterMap.self, from: json)
        } catch let error as StrataError {
            throw error
        } catch {
            throw StrataError(.dataLoss, "cluster map: the file is not a valid map (\(error))", cause: error)
        }
    }

    /// Checks what the type system cannot: slot count, known worker ids, slot ranges.
    func validate() throws {
        guard slots.count == slotCount else {
            throw StrataError.invalidArgument("cluster map slots: \(slots.count) records for slotCount \(slotCount)")
        }
        for (index, slot) in slots.enumerated() {
            let named = slot.replicas + slot.dropping.map(\.worker) + slot.transfers.flatMap { [$0.target, $0.source] }
            for id in named where workers[id] == nil {
                throw StrataError.invalidArgument("cluster map slots[\(index)]: unknown worker \(id)")
            }
            for transfer in slot.transfers where transfer.slot != index {
                throw StrataError.invalidArgument("cluster map slots[\(index)].transfers: names slot \(transfer.slot)")
            }
            guard Set(slot.replicas).count == slot.replicas.count else {
                throw StrataError.invalidArgument("cluster map slots[\(index)].replicas: a worker appears twice")
            }
        }
        for record in workers.values {
            for slot in record.positions.keys {
                try checkSlot(slot, field: "cluster map workers[\(record.id)].positions")
            }
            guard record.weight.isFinite, record.weight > 0 else {
                throw StrataError.invalidArgument("cluster map workers[\(record.id)].weight: must be a finite number > 0")
            }
        }
    }
}
