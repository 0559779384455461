import StrataCore
import StrataRPC
import StrataWire

/// Calls with out-of-range values to the internal and the client services, from a caller
/// outside the cluster (a bug, or anyone who can reach the ports): each must be refused or
/// ignored, change nothing, and leave every node a member (checked at the heal).
extension ClusterScenario {
    static let strayAddress = "stray:0"

    func strayCall() async {
        let running = cluster.runningWorkers
        guard let index = running.isEmpty ? nil : running[draw(running.count)] else { return }
        let worker = cluster.network.transport(from: Self.strayAddress, to: cluster.workerAddresses[index])
        let coordinator = cluster.network.transport(from: Self.strayAddress, to: SimulatedCluster.coordinatorAddress)
        let options = CallOptions(timeout: .seconds(20))
        let write = StrataWire.SlotWrite(sequence: 1, namespace: Self.namespace, operation: .deleteDocument(id: "stray"))
        strayCalls += 1
        let kind = draw(5)
        let name = ["write beyond S", "write at sequence 2^64-1", "heartbeat with incarnation 2^64-1", "weight 1e300", "bad query"][kind]
        do {
            switch kind {
            case 0:
                let slot = UInt32(cluster.slots + draw(1000))
                _ = try await worker.unary(MethodPath.workerApplyWrites, ApplyWritesRequest(slot: slot, writes: [write]).serializedBytes(), options: options)
            case 1:
                var absurd = write
                absurd.sequence = .max
                _ = try await worker.unary(MethodPath.workerApplyWrites,
                                           ApplyWritesRequest(slot: UInt32(draw(cluster.slots)), writes: [absurd]).serializedBytes(), options: options)
            case 2:
                let answer = try HeartbeatResponse(serializedBytes: await coordinator.unary(
                    MethodPath.membershipHeartbeat,
                    HeartbeatRequest(nodeID: workerID(index), incarnation: .max, slots: [SlotPosition(slot: 0, sequence: 1 << 40)]).serializedBytes(),
                    options: options))
                if !answer.reregister { violations.append("step \(step): a heartbeat with incarnation 2^64-1 was accepted") }
                note("stray \(name): answered reregister")
                return
            case 3:
                _ = try await coordinator.unary(MethodPath.membershipRegisterWorker, RegisterRequest(
                    nodeID: "stray-\(step)", address: "stray:\(step)", capacity: Capacity(weight: 1e300), incarnation: 1).serializedBytes(),
                    options: options)
            default:
                let request = chance(0.5)
                    ? QueryRequest(namespace: Self.namespace, text: "simulation", mode: .lexical, lexicalWeight: 1.5)
                    : QueryRequest(namespace: Self.namespace, text: "simulation", mode: .lexical, lexicalWeight: -0.5)
                for try await _ in coordinator.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: options) {}
            }
            violations.append("step \(step): stray \(name) was accepted")
        } catch let error as RPCError where error.code == .invalidArgument {
            note("stray \(name): refused (\(error.code))")
        } catch let error as RPCError where error.code == .unavailable || error.code == .deadlineExceeded {
            note("stray \(name): did not get through (\(error.code))")  // the node is down or the network lost it
        } catch {
            violations.append("step \(step): stray \(name) was answered \(error), not INVALID_ARGUMENT")
        }
    }

    private func workerID(_ index: Int) -> String {
        let address = cluster.workerAddresses[index]
        // A replaced worker's id carries its generation, as its address does.
        if let generation = address.split(separator: ":").first?.split(separator: "-").last, generation.hasPrefix("r") {
            return "worker-sim-\(index)-\(generation)"
        }
        return "worker-sim-\(index)"
    }
}
