import ArgumentParser
import Foundation
import StrataCluster
import StrataCore
import StrataRPC
import StrataWire

extension StatusCommand {
    /// Polls the coordinator until `ClusterReadiness` finds nothing missing; returns the status
    /// that was ready. When `seconds` run out, prints what is still missing (or why the
    /// coordinator could not be asked) and exits 1.
    func waitUntilReady(seconds: Double) async throws -> ClusterStatusResponse {
        let expected = (expectWorkers ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        let channel = options.channel()
        var missing: [String] = []
        while true {
            let left = deadline - clock.now
            let callTimeout = max(Duration.milliseconds(200), min(.seconds(2), left))
            do {
                let bytes = try await channel.unary(
                    MethodPath.coordinatorClusterStatus, ClusterStatusRequest().serializedBytes(), options: CallOptions(timeout: callTimeout))
                let status = try ClusterStatusResponse(serializedBytes: bytes)
                let readiness = Self.readiness(status, expecting: expected)
                if readiness.isReady { return status }
                missing = readiness.waitingFor
            } catch let error as RPCError {
                missing = ["the coordinator at \(options.address) (\(error.code): \(error.message))"]
            }
            guard clock.now < deadline else { break }
            try await Task.sleep(for: min(.milliseconds(100), max(.zero, deadline - clock.now)))
        }
        FileHandle.standardError.write(Data(
            "strata: the cluster is not ready after \(String(format: "%g", seconds)) s; waiting for: \(missing.joined(separator: "; "))\n".utf8))
        throw ExitCode(CLIFailure.failed)
    }

    static func readiness(_ status: ClusterStatusResponse, expecting expected: [String]) -> ClusterReadiness {
        ClusterReadiness(
            slotCount: Int(status.slotCount), fullyReplicated: Int(status.slotsFullyReplicated), unavailable: Int(status.slotsUnavailable),
            workers: status.nodes.filter { $0.role == .worker }.map { .init(id: $0.nodeID, address: $0.address, state: $0.state) },
            expectedWorkers: expected)
    }
}
