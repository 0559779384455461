import StrataCore
import StrataRPC
import StrataStore
import StrataWire

/// The worker's slot RPCs: durable writes (ApplyWrites) and slot streams (StreamSlot), the
/// two halves of replication and recovery.
extension WorkerNode {
    static func registerSlotMethods(_ service: inout ServiceDefinition, _ worker: HandlerReference<WorkerNode>) {
        service.unary("ApplyWrites", ApplyWritesRequest.self, ApplyWritesResponse.self) { request, _ in
            // Off the cooperative pool: a write waits for its slot's lock and for the fsync,
            // and indexes its chunks; two of them held both pool threads and the worker's
            // heartbeats stopped (`offPool`).
            let node = try worker()
            return try await offPool { try node.applyWrites(request) }
        }
        service.serverStreaming("StreamSlot", StreamSlotRequest.self, SlotRecord.self) { request, writer, context in
            try await worker().streamSlot(request, writer, context)
        }
    }

    /// Applies the writes in order; returns once they are durable. Writes the slot already
    /// holds are acknowledged without being applied again. The check that the slot is not
    /// behind and the writes hold the slot's write lock together, so a DROP carried out in
    /// between cannot let the writes land on the emptied slot as if it were current.
    func applyWrites(_ request: ApplyWritesRequest) throws(StrataError) -> ApplyWritesResponse {
        let store = try openStore()
        // Checked before anything is applied, so a bad request changes nothing at all.
        try slotRange.check(request.slot)
        var previous: UInt64 = 0
        for (i, write) in request.writes.enumerated() {
            guard write.sequence > previous, write.sequence <= MembershipLimits.maximumSequence else {
                throw .invalidArgument("writes[\(i)].sequence: \(write.sequence) must be above the previous write's (\(previous)) "
                    + "and at most \(MembershipLimits.maximumSequence)")
            }
            previous = write.sequence
        }
        try epochFence.admit(request.coordinatorEpoch, doing: "writes to slot \(request.slot)")
        return try slotWriteLocks.withLock(slot: request.slot) { () throws(StrataError) -> ApplyWritesResponse in
            let held = store.lastSequence(of: request.slot)
            guard held >= request.requiredSequence else {
                throw StrataError(.failedPrecondition, "slot \(request.slot) is behind: this worker holds it up to sequence \(held), the write requires \(request.requiredSequence); it catches up by copy first")
            }
            var duplicates: UInt32 = 0
            var duplicateChunks: UInt32 = 0
            for (i, write) in request.writes.enumerated() {
                let alreadyStored = Self.chunksAlreadyStored(write, store)
                let storeWrite = try SlotWriteMapping.storeWrite(slot: request.slot, write, field: "writes[\(i)]", store: store)
                if case .alreadyApplied = try applyIndexed(storeWrite, field: "writes[\(i)]") {
                    duplicates += 1
                } else {
                    duplicateChunks += alreadyStored
                }
            }
            return ApplyWritesResponse(durableSequence: store.lastSequence(of: request.slot), duplicates: duplicates,
                                       duplicateChunks: duplicateChunks)
        }
    }

    /// Chunks of a put whose content the namespace already stores (kept once, by content hash).
    private static func chunksAlreadyStored(_ write: StrataWire.SlotWrite, _ store: ChunkStore) -> UInt32 {
        guard case .put(let put) = write.operation else { return 0 }
        return UInt32(put.chunks.filter { chunk in
            store.containsLive(cacheKey: ContentHash.cacheKey(namespace: write.namespace, text: chunk.contentHash))
        }.count)
    }

    /// Streams the bytes to come, the slot's sequences after `afterSequence` (a write or a
    /// batch each), then the sequence the stream covers.
    func streamSlot(_ request: StreamSlotRequest, _ writer: ResponseWriter<SlotRecord>, _ context: ServerContext) async throws {
        let store = try openStore()
        try slotRange.check(request.slot)
        var records: [SlotRecord] = []
        let end = try store.exportSlot(request.slot, after: request.afterSequence) { (write: StrataStore.SlotWrite) throws(StrataError) in
            records.append(SlotWriteMapping.record(write))
        }
        // The total first, so the receiver can show progress in bytes (each record is encoded
        // once more for it: cheap next to the copy itself, which is rate-limited anyway).
        let total = records.reduce(UInt64(0)) { $0 + UInt64($1.serializedBytes().count) }
        try await writer.send(.totalBytes(total))
        for record in records {
            try await writer.send(record)
        }
        try await writer.send(.endSequence(end))
    }
}
