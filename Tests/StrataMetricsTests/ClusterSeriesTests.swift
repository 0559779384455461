import Testing

@testable import StrataMetrics

@Suite("ClusterSeries")
struct ClusterSeriesTests {
    static let cluster = ClusterGauges(
        slotCount: 8, targetReplicas: 2, liveWorkers: 2, suspectWorkers: 0, deadWorkers: 1, drainingWorkers: 0,
        slotsFullyReplicated: 5, slotsUnderReplicated: 3, slotsUnavailable: 0, recoveryTransfers: 3, rebalanceTransfers: 0,
        transfers: [
            .init(slot: 1, recordsCopied: 10, recordsNeeded: 40),
            .init(slot: 1, recordsCopied: 5, recordsNeeded: 40),
            .init(slot: 6, recordsCopied: 0, recordsNeeded: 12),
        ])

    static func value(_ name: String, _ labels: [MetricSample.Label] = []) -> Double? {
        ClusterSeries.samples(cluster).first { $0.name == name && $0.labels == labels }?.value
    }

    @Test("workers by state and slots by replication state")
    func states() {
        #expect(Self.value("strata_cluster_workers", [.init("state", "live")]) == 2)
        #expect(Self.value("strata_cluster_workers", [.init("state", "dead")]) == 1)
        #expect(Self.value("strata_cluster_slots", [.init("state", "fully_replicated")]) == 5)
        #expect(Self.value("strata_cluster_slots", [.init("state", "under_replicated")]) == 3)
        #expect(Self.value("strata_cluster_slots", [.init("state", "unavailable")]) == 0)
        #expect(Self.value("strata_cluster_slot_count") == 8)
    }

    @Test("recovery progress: slots counted once however many copies they have, records summed")
    func recovery() {
        #expect(Self.value("strata_cluster_slots_recovering") == 2)
        #expect(Self.value("strata_cluster_transfers_in_flight", [.init("purpose", "recovery")]) == 3)
        #expect(Self.value("strata_recovery_records_copied") == 15)
        #expect(Self.value("strata_recovery_records_needed") == 92)
    }

    @Test("no label carries a slot number or a worker id")
    func boundedLabels() {
        let values = Set(ClusterSeries.samples(Self.cluster).flatMap(\.labels).map(\.value))
        #expect(values.isSubset(of: ["live", "suspect", "dead", "draining", "fully_replicated", "under_replicated", "unavailable", "recovery", "rebalance"]))
    }
}
