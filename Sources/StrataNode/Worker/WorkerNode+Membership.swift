import StrataCore
import StrataStore
import StrataWire

/// The worker as its membership loop sees it.
extension WorkerNode: MembershipWorker {
    func registration() -> RegisterRequest {
        let config = runtime.config
        return RegisterRequest(
            nodeID: runtime.identity.nodeID, address: runtime.address, zone: config.node.zone,
            capacity: Self.capacity(config: config, dataDirectory: storeDirectory), slots: status().slots,
            incarnation: runtime.identity.incarnation)
    }

    func heartbeat(incarnation: UInt64, copies: [SlotCopyProgress]) -> HeartbeatRequest {
        let report = status()
        return HeartbeatRequest(nodeID: runtime.identity.nodeID, incarnation: incarnation, slots: report.slots,
                                tiers: report.tiers, walBytes: report.walBytes, segmentBytes: report.segmentBytes, copies: copies)
    }

    func learnSlotCount(_ count: UInt32) { slotRange.learn(count) }

    func heldSequence(of slot: UInt32) -> UInt64 { (try? openStore().lastSequence(of: slot)) ?? 0 }

    func applyCopied(_ write: StrataStore.SlotWrite) throws(StrataError) { try applyIndexed(write, field: "write") }
}
