import StrataCore
import StrataRPC
import StrataWire

/// The coordinator's RPCs for agents and directory syncs: ListDocuments, ReadDocument,
/// RecordSync and GetNamespaceStatus.
extension CoordinatorNode {
    static func registerDocumentMethods(_ service: inout ServiceDefinition, _ node: HandlerReference<CoordinatorNode>) {
        service.unary("ListDocuments", ListDocumentsRequest.self, ListDocumentsResponse.self) { request, context in
            let coordinator = try node()
            try coordinator.access.require(context, .read(namespace: request.namespace))
            try await coordinator.requireCurrentTally()
            return try coordinator.documents.list(request)
        }
        service.unary("ReadDocument", ReadDocumentRequest.self, ReadDocumentResponse.self) { request, context in
            let coordinator = try node()
            try coordinator.access.require(context, .read(namespace: request.namespace))
            return try await coordinator.documents.read(request, context)
        }
        service.unary("RecordSync", RecordSyncRequest.self, SyncRecord.self) { request, context in
            let coordinator = try node()
            try coordinator.access.require(context, .write(namespace: request.sync.namespace))
            // Shared by coordinators on etcd: the leader takes the reports and publishes them.
            if coordinator.controlPlane.isEtcd { _ = try coordinator.controlPlane.requireLeader() }
            let kept = try coordinator.recordSync(request.sync)
            try await coordinator.publishSyncs()
            return kept
        }
        service.unary("GetNamespaceStatus", NamespaceStatusRequest.self, NamespaceStatus.self) { request, context in
            let coordinator = try node()
            try coordinator.access.require(context, .read(namespace: request.namespace))
            return try coordinator.namespaceStatus(request.namespace)
        }
    }

    /// Keeps a sync's report; NOT_FOUND when its namespace does not exist.
    func recordSync(_ report: SyncRecord) throws -> SyncRecord {
        _ = try namespaces.settings(report.namespace)
        return try syncs.record(report)
    }

    /// One namespace in full: size, embedding backlog, unsettled documents, last and running sync.
    func namespaceStatus(_ name: String) throws -> NamespaceStatus {
        guard let info = listNamespaces().first(where: { $0.name == name }) else {
            _ = try namespaces.settings(name)  // throws the NOT_FOUND every call uses
            throw StrataError(.notFound, "namespace \(name) does not exist")
        }
        let book = syncs.status(name)
        return NamespaceStatus(info: info, unsettledDocuments: namespaces.unsettledCount(name),
                               lastSync: book.last, runningSync: book.running)
    }
}
