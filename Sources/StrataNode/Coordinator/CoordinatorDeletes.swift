import StrataCore
import StrataWire

/// Deleting documents and dropping namespaces: the same numbered, replicated slot writes as
/// ingest, acknowledged when W replicas of every touched slot have them.
struct CoordinatorDeletes: Sendable {
    let namespaces: NamespaceRegistry
    let membership: CoordinatorMembership
    let replicator: SlotReplicator

    func delete(_ request: DeleteDocumentsRequest) async throws -> DeleteDocumentsResponse {
        _ = try namespaces.settings(request.namespace)
        var notFound: [String] = []
        var bySlot: [Int: [String]] = [:]
        for id in Set(request.documentIDs).sorted() {
            try NamespaceRules.validateDocumentID(id)
            // An id the tally does not know is deleted all the same: an ingest that failed
            // after some of its slots were written leaves documents on the workers that the
            // tally never recorded, and a delete that skipped them would let them come back.
            if !namespaces.contains(request.namespace, document: id) { notFound.append(id) }
            bySlot[membership.slots.slot(namespace: request.namespace, documentID: id), default: []].append(id)
        }
        // Each slot's deletes are acknowledged or not on their own; those that were must be
        // recorded in the tally even when another slot's failed (then the call fails).
        let failed = await withTaskGroup(of: (Int, StrataError?).self) { group in
            for (slot, ids) in bySlot {
                group.addTask {
                    do {
                        try await replicator.replicate(slot: slot, count: ids.count) { numbers in
                            zip(numbers, ids).map { sequence, id in
                                StrataWire.SlotWrite(sequence: sequence, namespace: request.namespace, operation: .deleteDocument(id: id))
                            }
                        }
                        return (slot, nil)
                    } catch {
                        return (slot, StrataError(relaying: error))
                    }
                }
            }
            var failed: [Int: StrataError] = [:]
            for await (slot, error) in group { failed[slot] = error }
            return failed
        }
        let deleted = Set(bySlot.filter { failed[$0.key] == nil }.values.joined()).subtracting(notFound)
        try namespaces.record(request.namespace, Dictionary(uniqueKeysWithValues: deleted.map { ($0, nil) }))
        let refusals = failed.sorted { $0.key < $1.key }.map(\.value)
        if let refusal = refusals.first(where: { $0.code == .resourceExhausted }) ?? refusals.first { throw refusal }
        return DeleteDocumentsResponse(deleted: UInt64(deleted.count), notFound: notFound)
    }

    /// Drops the namespace's data in every slot, then forgets the namespace.
    func drop(_ request: DropNamespaceRequest) async throws -> DropNamespaceResponse {
        _ = try namespaces.settings(request.name)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for slot in 0..<membership.slots.slotCount {
                group.addTask {
                    try await replicator.replicate(slot: slot, count: 1) { numbers in
                        [StrataWire.SlotWrite(sequence: numbers.lowerBound, namespace: request.name, operation: .dropNamespace)]
                    }
                }
            }
            try await group.waitForAll()
        }
        return DropNamespaceResponse(documents: try namespaces.drop(request.name))
    }
}
