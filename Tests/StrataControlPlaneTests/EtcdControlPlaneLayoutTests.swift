import StrataControlPlane
import Testing

@Suite struct EtcdControlPlaneLayoutTests {
    @Test func keysAndTheirMeanings() throws {
        let layout = try EtcdControlPlaneLayout(prefix: "/strata/prod")
        #expect(layout.prefix == "/strata/prod/")
        #expect(layout.key(.clusterMap) == Array("/strata/prod/cluster-map".utf8))
        #expect(layout.highWaterMarkKey(slot: 7) == Array("/strata/prod/hwm/00007".utf8))
        #expect(layout.candidateKey(lease: 0x1f) == Array("/strata/prod/election/000000000000001f".utf8))
        for record in ControlPlaneRecord.allCases { #expect(layout.entry(layout.key(record)) == .record(record)) }
        #expect(layout.entry(layout.highWaterMarkKey(slot: 99_999)) == .highWaterMark(slot: 99_999))
        #expect(layout.entry(layout.candidateKey(lease: 5)) == .candidate)
        for foreign in ["/strata/prod/hwm/7", "/strata/prod/hwm/0000x", "/strata/other/cluster-map", "/strata/prod/", "/strata/prod/unknown"] {
            #expect(layout.entry(Array(foreign.utf8)) == nil, "\(foreign)")
        }
        #expect(throws: ControlPlaneError.self) { try EtcdControlPlaneLayout(prefix: "") }
    }

    @Test func marksAreDecimalAndBadOnesAreCorrupt() throws {
        #expect(EtcdControlPlaneLayout.encodeMark(18_446_744_073_709_551_615) == Array("18446744073709551615".utf8))
        #expect(try EtcdControlPlaneLayout.decodeMark(Array("42".utf8), key: []) == 42)
        for bad in ["", "-1", "4 2", "٤٢", "18446744073709551616"] {
            let error = #expect(throws: ControlPlaneError.self) { try EtcdControlPlaneLayout.decodeMark(Array(bad.utf8), key: Array("/k".utf8)) }
            #expect(error?.kind == .corrupt)
        }
    }

    @Test func updatesApplyToASnapshot() {
        let snapshot = ControlPlaneSnapshot(revision: ControlPlaneRevision(4), records: [.clusterID: StoredRecord(bytes: [1], revision: ControlPlaneRevision(2))],
                                            highWaterMarks: [1: 10, 2: 20])
        let next = ControlPlaneUpdate(revision: ControlPlaneRevision(6), records: [.clusterID: nil, .clusterMap: [9]], highWaterMarks: [2: 25, 3: 1])
            .applied(to: snapshot)
        #expect(next == ControlPlaneSnapshot(revision: ControlPlaneRevision(6), records: [.clusterMap: StoredRecord(bytes: [9], revision: ControlPlaneRevision(6))],
                                             highWaterMarks: [1: 10, 2: 25, 3: 1]))
    }
}
