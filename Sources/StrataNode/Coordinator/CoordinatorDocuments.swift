import StrataCore
import StrataRPC
import StrataText
import StrataWire

/// Listing and reading stored documents: ListDocuments pages through the coordinator's tally
/// (ids, content hashes, sizes), ReadDocument fetches one document's chunks from a live
/// replica of its slot and rebuilds its text.
struct CoordinatorDocuments: Sendable {
    let namespaces: NamespaceRegistry
    let membership: CoordinatorMembership
    let channels: WorkerChannels
    /// ListDocuments' page size when the request leaves it 0, and its maximum.
    static let defaultPageSize = 1000
    static let maxPageSize = 10_000
    /// ReadDocument returns at most this much text; a longer range is cut at a line boundary.
    static let maxReadBytes = 4 << 20

    func list(_ request: ListDocumentsRequest) throws(StrataError) -> ListDocumentsResponse {
        let size = request.pageSize == 0 ? Self.defaultPageSize : Int(request.pageSize)
        guard size <= Self.maxPageSize else {
            throw StrataError(.outOfRange, "page_size \(size) is above the maximum \(Self.maxPageSize)")
        }
        _ = try namespaces.settings(request.namespace)
        let page = try namespaces.documents(request.namespace, prefix: request.prefix, after: request.pageToken, limit: size)
        return ListDocumentsResponse(
            documents: page.entries.map {
                DocumentEntry(documentID: $0.id, contentHash: $0.tally.contentHash ?? "", chunks: $0.tally.chunks, tokens: $0.tally.tokens)
            },
            nextPageToken: page.next)
    }

    func read(_ request: ReadDocumentRequest, _ context: ServerContext) async throws -> ReadDocumentResponse {
        _ = try namespaces.settings(request.namespace)
        try NamespaceRules.validateDocumentID(request.documentID)
        let tally = namespaces.tally(request.namespace, document: request.documentID)
        // Coordinators on etcd keep document tallies each in its own files, so a coordinator
        // that took the lead lacks those of documents ingested through another: it asks the
        // replica instead of trusting its tally's silence.
        guard tally != nil || membership.controlPlane.isEtcd else {
            throw StrataError(.notFound, "document \(request.documentID) is not in namespace \(request.namespace)")
        }
        if request.lineEnd != 0 && request.lineEnd < max(request.lineStart, 1) {
            throw StrataError.invalidArgument("line_end \(request.lineEnd) is below line_start \(max(request.lineStart, 1))")
        }
        let slot = membership.slots.slot(namespace: request.namespace, documentID: request.documentID)
        guard let replica = membership.queryPlan().assignments.first(where: { $0.slots.contains(slot) }) else {
            throw StrataError(.unavailable, "document \(request.documentID) is in slot \(slot), which has no live replica now; retry once its worker is back or re-replicated")
        }
        var chunks: [ChunkMessage] = []
        do {
            for try await bytes in channels.channel(replica.address).serverStreaming(
                MethodPath.workerFetchDocument,
                FetchDocumentRequest(namespace: request.namespace, documentID: request.documentID).serializedBytes(),
                options: CallOptions(timeout: context.timeRemaining ?? .seconds(30))) {
                chunks.append(try ChunkMessage(serializedBytes: bytes))
            }
        } catch let error as RPCError where error.code == .notFound && tally == nil {
            throw StrataError(.notFound, "document \(request.documentID) is not in namespace \(request.namespace)")
        } catch let error as RPCError where error.code == .notFound {
            throw StrataError(.notFound, "document \(request.documentID) is listed in namespace \(request.namespace) but its replica holds no such document (an ingest of it was interrupted); send it again")
        } catch let error as RPCError {
            throw StrataError(.unavailable, "worker \(replica.worker) holding document \(request.documentID) (slot \(slot)) failed: \(error.code): \(error.message)")
        }
        let text = DocumentText.reassemble(chunks.sorted { $0.ordinal < $1.ordinal }.map {
            DocumentText.Piece(text: $0.text, byteStart: $0.provenance.byteStart, byteEnd: $0.provenance.byteEnd)
        })
        let lines = try DocumentText.lines(of: text, from: Int(max(request.lineStart, 1)),
                                           through: request.lineEnd == 0 ? nil : Int(request.lineEnd), maxBytes: Self.maxReadBytes)
        return ReadDocumentResponse(
            documentID: request.documentID, text: lines.text, lineStart: UInt32(lines.lineStart), lineEnd: UInt32(lines.lineEnd),
            totalLines: UInt32(clamping: lines.totalLines), truncated: lines.truncated, metadata: chunks.first?.metadata ?? [],
            contentHash: tally?.contentHash ?? "")
    }
}
