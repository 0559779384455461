import Foundation
import StrataCore
import StrataRPC
import Synchronization

/// Test double: the network of a simulated cluster inside one process.
///
/// Each call is routed by address to the services registered there, through StrataRPC's
/// `InProcessChannel` (so requests and answers are real wire bytes and handlers run as they
/// do behind gRPC), and meets the faults the test has set:
/// - a node that is not registered (down) refuses every call: UNAVAILABLE;
/// - a partition between two addresses refuses calls both ways: UNAVAILABLE;
/// - a dropped request never reaches the callee: UNAVAILABLE;
/// - a dropped reply reaches the callee, which does the work, but the caller sees UNAVAILABLE
///   (the case that makes re-sent writes need to be idempotent);
/// - a cut stream delivers some of a server stream's messages, then fails UNAVAILABLE;
/// - a delay holds the call back for up to `maxDelay` (reordering concurrent calls), or fails
///   it with DEADLINE_EXCEEDED when the caller's deadline is shorter;
/// - a stalled node accepts calls and never answers (until the caller's deadline, or until the
///   caller gives up on the call);
/// - a method made to fail answers with the error the test chose (e.g. a worker whose disk is
///   full), without running the handler.
///
/// Which calls meet a random fault is decided from the seed, the link, the method, the
/// request's bytes and how often those same bytes were sent before -- not from the order in
/// which concurrent calls happen to arrive -- so a seed plays the same faults again.
final class InProcessNetwork: Sendable {
    /// Rates in 0...1 of the random faults.
    struct Faults: Sendable, Equatable {
        var dropRequestRate = 0.0
        var dropReplyRate = 0.0
        var cutStreamRate = 0.0
        var delayRate = 0.0
        var maxDelay: Duration = .milliseconds(2)

        static let none = Faults()
    }

    /// How many faults each kind has injected so far (for the report a failing seed prints).
    struct Counters: Sendable, CustomStringConvertible {
        var calls = 0, refused = 0, droppedRequests = 0, droppedReplies = 0, cutStreams = 0, delayed = 0

        var description: String {
            "calls \(calls), refused \(refused), dropped requests \(droppedRequests), dropped replies \(droppedReplies), "
                + "cut streams \(cutStreams), delayed \(delayed)"
        }
    }

    private struct State {
        var nodes: [String: InProcessChannel] = [:]
        var partitions: Set<[String]> = []
        var faults = Faults.none
        var attempts: [UInt64: UInt64] = [:]
        var counters = Counters()
        var stalled: Set<String> = []
        var failing: [String: RPCError] = [:]
    }

    let seed: UInt64
    private let state = Mutex(State())

    init(seed: UInt64) { self.seed = seed }

    // MARK: the test's controls

    /// Serves `services` at `address` (a node that starts, or restarts).
    func serve(_ address: String, _ services: [ServiceDefinition]) {
        state.withLock { $0.nodes[address] = InProcessChannel(target: address, services: services) }
    }

    /// Stops routing to `address`: the node is down (calls already inside it run on).
    func unplug(_ address: String) {
        _ = state.withLock { $0.nodes.removeValue(forKey: address) }
    }

    func isServing(_ address: String) -> Bool { state.withLock { $0.nodes[address] != nil } }

    func partition(_ a: String, _ b: String) {
        _ = state.withLock { $0.partitions.insert([a, b].sorted()) }
    }

    func isPartitioned(_ a: String, _ b: String) -> Bool { state.withLock { $0.partitions.contains([a, b].sorted()) } }

    /// Heals every partition and clears the random faults.
    func healAll() {
        state.withLock {
            $0.partitions.removeAll()
            $0.faults = .none
        }
    }

    func setFaults(_ faults: Faults) { state.withLock { $0.faults = faults } }

    /// Makes the node at `address` accept calls and never answer them (or answer again).
    func stall(_ address: String, _ stalled: Bool = true) {
        state.withLock { state in
            if stalled { state.stalled.insert(address) } else { state.stalled.remove(address) }
        }
    }

    /// Makes calls of `method` to `address` fail with `error` (nil: run normally again).
    func fail(_ address: String, method: String, with error: RPCError?) {
        state.withLock { $0.failing[address + " " + method] = error }
    }

    var faults: Faults { state.withLock { $0.faults } }
    var counters: Counters { state.withLock { $0.counters } }

    /// A transport for calls from the node at `from` to `target`.
    func transport(from: String, to target: String) -> any RPCTransport {
        NetworkLink(network: self, from: from, target: target)
    }

    // MARK: routing (used by `NetworkLink`)

    /// What happens to one call.
    struct Route: Sendable {
        let channel: InProcessChannel
        let dropReply: Bool
        let cutAfter: Int?
        let delay: Duration?
        let stalled: Bool
    }

    /// Decides the call's fate; throws what the caller sees when it does not get through.
    func route(from: String, to target: String, method: String, request: [UInt8]) throws(RPCError) -> Route {
        try state.withLock { (state: inout State) throws(RPCError) -> Route in
            state.counters.calls += 1
            guard let channel = state.nodes[target], !state.partitions.contains([from, target].sorted()) else {
                state.counters.refused += 1
                throw RPCError(.unavailable, "failed to connect to \(target) (simulated: node down or partitioned)")
            }
            if let error = state.failing[target + " " + method] { throw error }
            let key = Self.hash(seed, from, target, method, request)
            let attempt = state.attempts[key, default: 0]
            state.attempts[key] = attempt + 1
            var random = SplitMix64(seed: key &+ attempt &* 0x9E37_79B9_7F4A_7C15)
            let faults = state.faults
            if random.chance(faults.dropRequestRate) {
                state.counters.droppedRequests += 1
                throw RPCError(.unavailable, "connection to \(target) lost before the request arrived (simulated)")
            }
            let dropReply = random.chance(faults.dropReplyRate)
            if dropReply { state.counters.droppedReplies += 1 }
            let cut = random.chance(faults.cutStreamRate)
            let cutAfter = cut ? Int(random.next() % 8) : nil
            let delayed = random.chance(faults.delayRate)
            if delayed { state.counters.delayed += 1 }
            let delay = delayed ? faults.maxDelay * (Double(random.next() % 1000) / 1000) : nil
            return Route(channel: channel, dropReply: dropReply, cutAfter: cutAfter, delay: delay,
                         stalled: state.stalled.contains(target))
        }
    }

    func countCutStream() { state.withLock { $0.counters.cutStreams += 1 } }

    /// FNV-1a over the call's identity and bytes: the same call gets the same draws.
    private static func hash(_ seed: UInt64, _ from: String, _ to: String, _ method: String, _ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        for part in [from, to, method] {
            for byte in part.utf8 { mix(byte) }
            mix(0)
        }
        for byte in bytes { mix(byte) }
        return hash
    }

}

extension SplitMix64 {
    /// True with probability `rate` (never when `rate` is 0).
    mutating func chance(_ rate: Double) -> Bool {
        let draw = Double(next() >> 11) / Double(1 << 53)
        return rate > 0 && draw < rate
    }
}
