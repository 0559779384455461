import StrataControlPlane
import Testing

/// Several candidates' `ElectionState`s against a model of etcd's leases and keys, with
/// message delays, lost connections and crashes, from seeds. Checked at every step: no two
/// candidates act as leader at once, a candidate acts as leader only while etcd still holds
/// its key with its epoch (so its guarded writes would pass), and epochs only grow.
@Suite struct ElectionSimulationTests {
    private struct Candidate {
        var state: ElectionState
        var lease: Int64?
        var key: [UInt8]?
        var connected = true
        var crashed = false
        /// Keep-alives in flight: sent at, reaches etcd at, answer arrives at.
        var inFlight: [(sent: Int, atEtcd: Int, answered: Int, reached: Bool, ttl: Int)] = []
        var nextKeepAlive = 0
    }

    private struct Etcd {
        var revision: Int64 = 1
        var leases: [Int64: Int] = [:]  // id -> expiry (ms)
        var keys: [[UInt8]: ElectionCandidate] = [:]
        var nextLease: Int64 = 100

        mutating func expire(now: Int) {
            for (id, expiry) in leases where expiry <= now {
                leases[id] = nil
                keys = keys.filter { $0.value.lease != id }
                revision += 1
            }
        }
    }

    /// A deterministic generator (SplitMix64).
    private struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    @Test(arguments: 0..<40)
    func noTwoLeadersAndEpochsOnlyGrow(seed: UInt64) {
        let ttlMs = 3_000
        let settings = try! ElectionSettings(leaseTTL: .milliseconds(ttlMs))
        let keepAliveMs = Int(settings.keepAliveInterval.components.attoseconds / 1_000_000_000_000_000) + Int(settings.keepAliveInterval.components.seconds) * 1000
        var random = Random(state: seed &* 7919 &+ 1)
        var etcd = Etcd()
        var candidates = (0..<3).map { _ in Candidate(state: ElectionState(stepDownMargin: settings.stepDownMargin)) }
        var lastEpoch: Int64 = 0
        var leaderships = 0
        for step in 0..<2_000 {
            let now = step * 50
            let at = Duration.milliseconds(now)
            // etcd renews a lease when a keep-alive reaches it (if the lease still lives),
            // then expires the leases not renewed in time.
            for index in candidates.indices where !candidates[index].crashed {
                for flight in candidates[index].inFlight.indices
                where !candidates[index].inFlight[flight].reached && candidates[index].inFlight[flight].atEtcd <= now {
                    candidates[index].inFlight[flight].reached = true
                    if let lease = candidates[index].lease, let expiry = etcd.leases[lease] {
                        etcd.leases[lease] = max(expiry, candidates[index].inFlight[flight].atEtcd + ttlMs)
                        candidates[index].inFlight[flight].ttl = ttlMs
                    }
                }
            }
            etcd.expire(now: now)
            for index in candidates.indices {
                var c = candidates[index]
                defer { candidates[index] = c }
                // Faults: crash and restart, lose and regain etcd.
                if c.crashed {
                    if random.chance(2) { c = Candidate(state: ElectionState(stepDownMargin: settings.stepDownMargin)) }
                    continue
                }
                if random.chance(1) {
                    c.crashed = true
                    continue
                }
                if random.chance(c.connected ? 2 : 10) { c.connected.toggle() }
                // Campaign when without a lease.
                if c.state.own == nil, c.connected {
                    if let old = c.lease { etcd.leases[old] = nil; etcd.keys = etcd.keys.filter { $0.value.lease != old } }
                    let lease = etcd.nextLease
                    etcd.nextLease += 1
                    etcd.leases[lease] = now + ttlMs
                    etcd.revision += 1
                    let own = ElectionCandidate(key: Array("k\(lease)".utf8), address: "c\(index)", createRevision: etcd.revision, lease: lease)
                    etcd.keys[own.key] = own
                    c.lease = lease
                    c.key = own.key
                    c.inFlight = []
                    c.nextKeepAlive = now + keepAliveMs
                    _ = c.state.campaigned(own, leaseRequestedAt: at, ttl: .milliseconds(ttlMs), now: at)
                }
                // Keep-alives: sent on schedule, delayed 0-600 ms to etcd and 0-1200 ms back, lost while disconnected.
                if let lease = c.lease, now >= c.nextKeepAlive {
                    c.nextKeepAlive = now + keepAliveMs
                    if c.connected {
                        let atEtcd = now + 50 * random.below(13)
                        c.inFlight.append((now, atEtcd, atEtcd + 50 * random.below(25), false, 0))
                        _ = lease
                    }
                }
                c.inFlight = c.inFlight.filter { flight in
                    guard flight.answered <= now else { return true }
                    if c.connected { _ = c.state.keepAliveAnswered(requestedAt: .milliseconds(flight.sent), ttl: .milliseconds(flight.ttl), now: at) }
                    return false
                }
                // The watch: a connected candidate sees etcd's keys (sometimes late).
                if c.connected, random.chance(70) { _ = c.state.observed(Array(etcd.keys.values), now: at) }
                _ = c.state.tick(now: at)
            }
            // Invariants.
            let leaders = candidates.filter { !$0.crashed }.compactMap { $0.state.role.token }
            #expect(leaders.count <= 1, "seed \(seed) step \(step): \(leaders.count) leaders at once")
            for token in leaders {
                #expect(etcd.keys[token.key]?.createRevision == token.epoch, "seed \(seed) step \(step): a leader whose key etcd no longer holds")
                if token.epoch != lastEpoch {
                    #expect(token.epoch > lastEpoch, "seed \(seed) step \(step): epoch went from \(lastEpoch) to \(token.epoch)")
                    lastEpoch = token.epoch
                    leaderships += 1
                }
            }
        }
        #expect(leaderships >= 2, "seed \(seed): the simulation should see leadership change hands")
    }
}
