import Foundation

/// Capacity-weighted rendezvous (highest random weight) placement.
///
/// Every (slot, worker) pair gets a score `-weight / ln(u)` where `u` is the stable hash of
/// `UTF-8(worker id) ‖ 0xFF ‖ slot (uint32 little-endian)` mapped into the open interval (0, 1).
/// A slot's replicas are the R best-scoring workers. Because a pair's score never depends on
/// other workers, adding a worker only moves the replicas it now wins, and removing one only
/// moves its own replicas: the fewest moves possible. The `-w / ln(u)` form makes a worker's
/// expected share proportional to its weight (Schindelhauer & Schomaker, weighted HRW).
///
/// Zones: replicas are taken in score order, skipping a worker whose (non-empty) zone is already
/// used; only when there are fewer zones than R are the remaining places filled in score order.
/// A worker with an empty zone constrains nothing.
public enum Placement {
    /// A worker as placement sees it.
    public struct Candidate: Sendable, Equatable {
        public var id: WorkerID
        public var zone: String
        public var weight: Double

        public init(id: WorkerID, zone: String = "", weight: Double = 1) {
            self.id = id
            self.zone = zone
            self.weight = weight
        }

        public init(_ record: WorkerRecord) {
            self.init(id: record.id, zone: record.zone, weight: record.weight)
        }
    }

    /// The stable 64-bit hash of a (slot, worker) pair.
    public static func pairHash(slot: Int, worker: WorkerID) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(utf8: worker)
        hasher.combineSeparator()
        hasher.combine(uint32: UInt32(truncatingIfNeeded: slot))
        return hasher.finalize()
    }

    /// The weighted rendezvous score of `worker` for `slot`; higher wins.
    public static func score(slot: Int, worker: WorkerID, weight: Double) -> Double {
        score(hash: pairHash(slot: slot, worker: worker), weight: weight)
    }

    static func score(hash: UInt64, weight: Double) -> Double {
        // The top 53 bits plus one half give a double strictly inside (0, 1), so ln is finite
        // and negative.
        let unit = (Double(hash >> 11) + 0.5) / 9_007_199_254_740_992.0
        return -weight / log(unit)
    }

    /// A candidate with its hasher already fed `UTF-8(id) ‖ 0xFF`: placing many slots then
    /// hashes only the 4 slot bytes per pair (same values as `pairHash`).
    struct Prepared {
        var candidate: Candidate
        var prefix: StableHasher

        init(_ candidate: Candidate) {
            self.candidate = candidate
            prefix = StableHasher()
            prefix.combine(utf8: candidate.id)
            prefix.combineSeparator()
        }

        func score(slot: Int) -> Double {
            var hasher = prefix
            hasher.combine(uint32: UInt32(truncatingIfNeeded: slot))
            return Placement.score(hash: hasher.finalize(), weight: candidate.weight)
        }
    }

    /// The replicas of `slot` among `candidates`: `min(count, candidates.count)` distinct
    /// workers, best first, in distinct zones where enough zones exist. Ties (practically
    /// impossible) break by worker id, so the answer is deterministic.
    public static func replicas(forSlot slot: Int, among candidates: [Candidate], count: Int) -> [WorkerID] {
        replicas(forSlot: slot, amongPrepared: candidates.map(Prepared.init), count: count)
    }

    static func replicas(forSlot slot: Int, amongPrepared candidates: [Prepared], count: Int) -> [WorkerID] {
        let wanted = min(count, candidates.count)
        guard wanted > 0 else { return [] }
        // Rank by score, best first (ties by id). A plain insertion sort over indices: the
        // candidate list is short and this runs for every slot on every planning round.
        var scores = [Double](repeating: 0, count: candidates.count)
        var order = [Int](repeating: 0, count: candidates.count)
        for index in candidates.indices {
            let score = candidates[index].score(slot: slot)
            scores[index] = score
            var position = index
            while position > 0 {
                let other = order[position - 1]
                let better =
                    score > scores[other]
                    || (score == scores[other] && candidates[index].candidate.id < candidates[other].candidate.id)
                if !better { break }
                order[position] = other
                position -= 1
            }
            order[position] = index
        }
        var chosen: [WorkerID] = []
        chosen.reserveCapacity(wanted)
        var usedZones: [String] = []
        var skipped: [Int] = []
        for index in order {
            if chosen.count == wanted { break }
            let zone = candidates[index].candidate.zone
            if !zone.isEmpty {
                if usedZones.contains(zone) {
                    skipped.append(index)
                    continue
                }
                usedZones.append(zone)
            }
            chosen.append(candidates[index].candidate.id)
        }
        // Fewer zones than R: fill the remaining places in score order.
        for index in skipped {
            if chosen.count == wanted { break }
            chosen.append(candidates[index].candidate.id)
        }
        return chosen
    }

    /// The placement of every slot of `map` over its eligible workers (not dead, not draining),
    /// with `map.targetReplicaCount` replicas each.
    public static func targets(for map: ClusterMap) -> [[WorkerID]] {
        let candidates = map.eligibleWorkers.map { Prepared(Candidate($0)) }
        let count = min(map.replicationFactor, candidates.count)
        return (0..<map.slotCount).map { replicas(forSlot: $0, amongPrepared: candidates, count: count) }
    }
}
