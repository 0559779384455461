import StrataCore

extension RecoveryPlanner {
    /// Limits on data movement per planning round, so that recovery never starves queries and a
    /// joining worker takes over its share gradually.
    public struct Settings: Sendable, Equatable {
        /// Slot copies in flight cluster-wide.
        public var maxTransfersInFlight: Int
        /// Slot copies one worker may receive at once.
        public var maxIncomingPerWorker: Int
        /// Slot copies one worker may send at once.
        public var maxOutgoingPerWorker: Int
        /// Of `maxTransfersInFlight`, how many may be rebalancing (the rest stays free for
        /// recovery of under-replicated slots, which always comes first).
        public var maxRebalanceInFlight: Int
        /// Bytes per second one copy may use (0 = unlimited); sent in every FETCH directive.
        public var fetchRateLimitBytesPerSecond: UInt64
        /// Whether a surplus copy (a holder no longer placed on the slot) gets a DROP. Off for
        /// workers that do not carry DROP out yet: then a surplus copy only stops serving and
        /// keeps its data, and a later placement back onto the slot finds it current. A pending
        /// DROP that is never carried out would otherwise keep that worker out of the slot.
        public var dropsSurplusCopies = true

        /// Refuses non-positive limits, naming the field.
        public init(
            maxTransfersInFlight: Int = 8, maxIncomingPerWorker: Int = 2, maxOutgoingPerWorker: Int = 4,
            maxRebalanceInFlight: Int = 4, fetchRateLimitBytesPerSecond: UInt64 = 64 << 20
        ) throws {
            for (name, value) in [
                ("maxTransfersInFlight", maxTransfersInFlight), ("maxIncomingPerWorker", maxIncomingPerWorker),
                ("maxOutgoingPerWorker", maxOutgoingPerWorker), ("maxRebalanceInFlight", maxRebalanceInFlight),
            ] where value < 1 {
                throw StrataError.invalidArgument("recovery.\(name): \(value) must be >= 1")
            }
            self.maxTransfersInFlight = maxTransfersInFlight
            self.maxIncomingPerWorker = maxIncomingPerWorker
            self.maxOutgoingPerWorker = maxOutgoingPerWorker
            self.maxRebalanceInFlight = maxRebalanceInFlight
            self.fetchRateLimitBytesPerSecond = fetchRateLimitBytesPerSecond
        }

        /// The limits from the coordinator's config: `max_copies_in_flight`,
        /// `max_copies_per_worker` (incoming; outgoing is twice that), `max_rebalance_copies`
        /// and the copy rate `recovery_rate_bytes_per_second`.
        public init(_ config: CoordinatorConfig) throws {
            guard config.recoveryRateBytesPerSecond >= 0 else {
                throw StrataError.invalidArgument("coordinator.recoveryRateBytesPerSecond: must be >= 0")
            }
            try self.init(maxTransfersInFlight: config.maxCopiesInFlight, maxIncomingPerWorker: config.maxCopiesPerWorker,
                          maxOutgoingPerWorker: 2 * config.maxCopiesPerWorker, maxRebalanceInFlight: config.maxRebalanceCopies,
                          fetchRateLimitBytesPerSecond: UInt64(config.recoveryRateBytesPerSecond))
        }

        /// 8 copies in flight, 2 in and 4 out per worker, 4 for rebalancing, 64 MiB/s each.
        public static let `default` = try! Settings()
    }
}
