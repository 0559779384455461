import Foundation
import StrataControlPlane
@testable import StrataNode
import StrataTestSupport
import Testing

/// A new leader's first writes (`persistRecords`) and a commit the core decides meanwhile (a
/// heartbeat confirming slots of the restart reconciliation) write the same record. Each must
/// see the other's revision: before, both expected the loaded one, one was refused, and the
/// refusal deposed the leader that had just been elected (seen in the leader-kill interop
/// test: "restart-pending refused: … expected revision 0, found 85").
@Suite struct TakeoverFirstWritesTests {
    @Test func theFirstWritesAndACommitOfTheCoreNeverRefuseEachOther() async throws {
        for round in 0..<20 {
            let directory = TestSupport.temporaryDirectory("strata-takeover-writes")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let (plane, _) = try CoordinatorControlPlane.local(dataDirectory: directory)
            let newer: [UInt8] = Array("{\"round\":\(round),\"from\":\"heartbeat\"}".utf8)
            let first: [UInt8] = Array("{\"round\":\(round),\"from\":\"takeover\"}".utf8)
            // The heartbeat's commit starts first or second, as it happens.
            async let heartbeat: Void = plane.persist(.restartPending, newer, generation: 2)
            async let takeover: Void = plane.persistRecords([.restartPending: first, .clusterID: Array("c\n".utf8)])
            try await heartbeat
            try await takeover
            #expect(throws: Never.self) { try plane.requireLeader() }
            await plane.close()
            let (reopenedPlane, reopened) = try CoordinatorControlPlane.local(dataDirectory: directory)
            // The core's later decision is what stays, whichever write ran first.
            #expect(reopened[.restartPending] == newer)
            await reopenedPlane.close()
        }
    }
}
