import CStrataProto
import StrataCore
import StrataRPC

// worker.proto: writes to a slot, as ApplyWrites carries them and StreamSlot replays them.

/// `strata.v1.PutDocument`: a document upsert, already chunked and token-counted.
public struct PutDocument: Sendable, Equatable {
    public var documentID: String
    public var metadata: [KeyValue]
    public var chunks: [ChunkMessage]

    public init(documentID: String = "", metadata: [KeyValue] = [], chunks: [ChunkMessage] = []) {
        self.documentID = documentID
        self.metadata = metadata
        self.chunks = chunks
    }

    static func build(_ put: PutDocument, in arena: WireArena) -> Strata__V1__PutDocument {
        var message = Strata__V1__PutDocument()
        strata__v1__put_document__init(&message)
        message.document_id = arena.string(put.documentID)
        message.n_metadata = put.metadata.count
        message.metadata = KeyValue.buildAll(put.metadata, in: arena)
        message.n_chunks = put.chunks.count
        message.chunks = arena.messages(put.chunks.map { ChunkMessage.build($0, in: arena) })
        return message
    }

    static func read(_ message: Strata__V1__PutDocument, at path: () -> String) throws -> PutDocument {
        PutDocument(
            documentID: try WireReader.string(message.document_id, at: WireReader.join(path, "document_id")),
            metadata: try WireReader.messages(message.metadata, message.n_metadata, at: path, "metadata", KeyValue.read),
            chunks: try WireReader.messages(message.chunks, message.n_chunks, at: path, "chunks", ChunkMessage.read))
    }
}

/// `strata.v1.SlotWrite`: one sequenced write to one slot.
public struct SlotWrite: Sendable, Equatable {
    /// The proto's `operation` oneof.
    public enum Operation: Sendable, Equatable {
        case put(PutDocument)
        /// Deletes one document by id.
        case deleteDocument(id: String)
        /// Drops the namespace's data in this slot.
        case dropNamespace
        /// Gives a document's chunks the vectors the server-side embedder computed.
        case attachVectors(AttachVectors)
    }

    /// Slot-local sequence number (1, 2, 3, ...).
    public var sequence: UInt64
    public var namespace: String
    public var operation: Operation

    public init(sequence: UInt64, namespace: String, operation: Operation) {
        self.sequence = sequence
        self.namespace = namespace
        self.operation = operation
    }

    static func build(_ write: SlotWrite, in arena: WireArena) -> Strata__V1__SlotWrite {
        var message = Strata__V1__SlotWrite()
        strata__v1__slot_write__init(&message)
        message.sequence = write.sequence
        message.namespace_ = arena.string(write.namespace)
        switch write.operation {
        case .put(let put):
            message.operation_case = STRATA__V1__SLOT_WRITE__OPERATION_PUT
            message.put = arena.message(PutDocument.build(put, in: arena))
        case .deleteDocument(let id):
            message.operation_case = STRATA__V1__SLOT_WRITE__OPERATION_DELETE_DOCUMENT_ID
            message.delete_document_id = arena.string(id)
        case .dropNamespace:
            message.operation_case = STRATA__V1__SLOT_WRITE__OPERATION_DROP_NAMESPACE
            message.drop_namespace = 1
        case .attachVectors(let attach):
            message.operation_case = STRATA__V1__SLOT_WRITE__OPERATION_ATTACH_VECTORS
            message.attach_vectors = arena.message(AttachVectors.build(attach, in: arena))
        }
        return message
    }

    static func read(_ message: Strata__V1__SlotWrite, at path: () -> String) throws -> SlotWrite {
        let operation: Operation
        switch message.operation_case {
        case STRATA__V1__SLOT_WRITE__OPERATION_PUT:
            operation = .put(try WireReader.message(message.put, at: path, "put", absent: PutDocument(), PutDocument.read))
        case STRATA__V1__SLOT_WRITE__OPERATION_DELETE_DOCUMENT_ID:
            operation = .deleteDocument(id: try WireReader.string(message.delete_document_id,
                                                                  at: WireReader.join(path, "delete_document_id")))
        case STRATA__V1__SLOT_WRITE__OPERATION_DROP_NAMESPACE where WireReader.flag(message.drop_namespace):
            operation = .dropNamespace
        case STRATA__V1__SLOT_WRITE__OPERATION_ATTACH_VECTORS:
            operation = .attachVectors(try WireReader.required(message.attach_vectors, at: path, "attach_vectors", AttachVectors.read))
        case STRATA__V1__SLOT_WRITE__OPERATION_DROP_NAMESPACE:
            throw RPCError(.invalidArgument, "\(WireReader.join(path, "drop_namespace")) is false (set it to true, or send another operation)")
        default:
            throw RPCError(.invalidArgument, "\(WireReader.join(path, "operation")) is not set")
        }
        return SlotWrite(
            sequence: message.sequence,
            namespace: try WireReader.string(message.namespace_, at: WireReader.join(path, "namespace")),
            operation: operation)
    }
}

/// `strata.v1.ApplyWritesRequest`.
public struct ApplyWritesRequest: RPCMessage, Equatable {
    public var slot: UInt32
    public var writes: [SlotWrite]
    /// The worker must already hold the slot up to this sequence, or refuse (it is behind).
    public var requiredSequence: UInt64
    /// The sending leadership's epoch (0: not fenced).
    public var coordinatorEpoch: UInt64

    public init(slot: UInt32, writes: [SlotWrite], requiredSequence: UInt64 = 0, coordinatorEpoch: UInt64 = 0) {
        self.slot = slot
        self.writes = writes
        self.requiredSequence = requiredSequence
        self.coordinatorEpoch = coordinatorEpoch
    }

    static var codec: WireCodec<Strata__V1__ApplyWritesRequest> {
        WireCodec(name: "strata.v1.ApplyWritesRequest",
                  unpack: { strata__v1__apply_writes_request__unpack(nil, $0, $1) },
                  free: { strata__v1__apply_writes_request__free_unpacked($0, nil) },
                  size: { strata__v1__apply_writes_request__get_packed_size($0) },
                  pack: { strata__v1__apply_writes_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            ApplyWritesRequest(
                slot: message.slot,
                writes: try WireReader.messages(message.writes, message.n_writes, at: path, "writes", SlotWrite.read),
                requiredSequence: message.required_sequence, coordinatorEpoch: message.coordinator_epoch)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__ApplyWritesRequest()
            strata__v1__apply_writes_request__init(&message)
            message.slot = slot
            message.n_writes = writes.count
            message.writes = arena.messages(writes.map { SlotWrite.build($0, in: arena) })
            message.required_sequence = requiredSequence
            message.coordinator_epoch = coordinatorEpoch
            return message
        }
    }
}

/// `strata.v1.ApplyWritesResponse`.
public struct ApplyWritesResponse: RPCMessage, Equatable {
    /// The slot's highest durable sequence after the call.
    public var durableSequence: UInt64
    /// Writes skipped as already applied.
    public var duplicates: UInt32
    /// Chunks whose content the namespace already held.
    public var duplicateChunks: UInt32

    public init(durableSequence: UInt64, duplicates: UInt32 = 0, duplicateChunks: UInt32 = 0) {
        self.durableSequence = durableSequence
        self.duplicates = duplicates
        self.duplicateChunks = duplicateChunks
    }

    static var codec: WireCodec<Strata__V1__ApplyWritesResponse> {
        WireCodec(name: "strata.v1.ApplyWritesResponse",
                  unpack: { strata__v1__apply_writes_response__unpack(nil, $0, $1) },
                  free: { strata__v1__apply_writes_response__free_unpacked($0, nil) },
                  size: { strata__v1__apply_writes_response__get_packed_size($0) },
                  pack: { strata__v1__apply_writes_response__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, _ in
            ApplyWritesResponse(durableSequence: message.durable_sequence, duplicates: message.duplicates,
                                duplicateChunks: message.duplicate_chunks)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { _ in
            var message = Strata__V1__ApplyWritesResponse()
            strata__v1__apply_writes_response__init(&message)
            message.durable_sequence = durableSequence
            message.duplicates = duplicates
            message.duplicate_chunks = duplicateChunks
            return message
        }
    }
}

/// `strata.v1.StreamSlotRequest`.
public struct StreamSlotRequest: RPCMessage, Equatable {
    public var slot: UInt32
    /// Records with a greater sequence are streamed (0: everything).
    public var afterSequence: UInt64

    public init(slot: UInt32, afterSequence: UInt64 = 0) {
        self.slot = slot
        self.afterSequence = afterSequence
    }

    static var codec: WireCodec<Strata__V1__StreamSlotRequest> {
        WireCodec(name: "strata.v1.StreamSlotRequest",
                  unpack: { strata__v1__stream_slot_request__unpack(nil, $0, $1) },
                  free: { strata__v1__stream_slot_request__free_unpacked($0, nil) },
                  size: { strata__v1__stream_slot_request__get_packed_size($0) },
                  pack: { strata__v1__stream_slot_request__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, _ in
            StreamSlotRequest(slot: message.slot, afterSequence: message.after_sequence)
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { _ in
            var message = Strata__V1__StreamSlotRequest()
            strata__v1__stream_slot_request__init(&message)
            message.slot = slot
            message.after_sequence = afterSequence
            return message
        }
    }
}

/// `strata.v1.SlotBatch`: the operations of one slot sequence, applied together or not at all.
public struct SlotBatch: Sendable, Equatable {
    public var sequence: UInt64
    /// Each carries `sequence`; may be empty (a sequence whose operations left nothing to stream).
    public var writes: [SlotWrite]

    public init(sequence: UInt64, writes: [SlotWrite]) {
        self.sequence = sequence
        self.writes = writes
    }

    static func build(_ batch: SlotBatch, in arena: WireArena) -> Strata__V1__SlotBatch {
        var message = Strata__V1__SlotBatch()
        strata__v1__slot_batch__init(&message)
        message.sequence = batch.sequence
        message.n_writes = batch.writes.count
        message.writes = arena.messages(batch.writes.map { SlotWrite.build($0, in: arena) })
        return message
    }

    /// Refuses a write whose sequence is not the batch's (INVALID_ARGUMENT naming it).
    static func read(_ message: Strata__V1__SlotBatch, at path: () -> String) throws -> SlotBatch {
        let writes = try WireReader.messages(message.writes, message.n_writes, at: path, "writes", SlotWrite.read)
        if let index = writes.firstIndex(where: { $0.sequence != message.sequence }) {
            throw RPCError(.invalidArgument, "\(WireReader.join(path, "writes[\(index)].sequence")) is \(writes[index].sequence); "
                + "every write of a batch carries the batch's sequence \(message.sequence)")
        }
        return SlotBatch(sequence: message.sequence, writes: writes)
    }
}

/// `strata.v1.SlotRecord`: one record of a slot stream (the proto's `item` oneof).
public enum SlotRecord: RPCMessage, Equatable {
    /// A sequence holding exactly one operation.
    case write(SlotWrite)
    /// Sent last: the source's durable sequence when the stream was taken.
    case endSequence(UInt64)
    /// Sent first: the serialized bytes of the write and batch records that follow (for progress).
    case totalBytes(UInt64)
    /// A sequence holding several operations, or none.
    case batch(SlotBatch)

    static var codec: WireCodec<Strata__V1__SlotRecord> {
        WireCodec(name: "strata.v1.SlotRecord",
                  unpack: { strata__v1__slot_record__unpack(nil, $0, $1) },
                  free: { strata__v1__slot_record__free_unpacked($0, nil) },
                  size: { strata__v1__slot_record__get_packed_size($0) },
                  pack: { strata__v1__slot_record__pack($0, $1) })
    }

    public init(serializedBytes bytes: [UInt8]) throws {
        self = try Self.codec.decode(bytes) { message, path in
            switch message.item_case {
            case STRATA__V1__SLOT_RECORD__ITEM_WRITE:
                .write(try WireReader.required(message.write, at: path, "write", SlotWrite.read))
            case STRATA__V1__SLOT_RECORD__ITEM_END_SEQUENCE:
                .endSequence(message.end_sequence)
            case STRATA__V1__SLOT_RECORD__ITEM_TOTAL_BYTES:
                .totalBytes(message.total_bytes)
            case STRATA__V1__SLOT_RECORD__ITEM_BATCH:
                .batch(try WireReader.required(message.batch, at: path, "batch", SlotBatch.read))
            default:
                throw RPCError(.invalidArgument, "strata.v1.SlotRecord carries no item")
            }
        }
    }

    public func serializedBytes() -> [UInt8] {
        Self.codec.encode { arena in
            var message = Strata__V1__SlotRecord()
            strata__v1__slot_record__init(&message)
            switch self {
            case .write(let write):
                message.item_case = STRATA__V1__SLOT_RECORD__ITEM_WRITE
                message.write = arena.message(SlotWrite.build(write, in: arena))
            case .endSequence(let sequence):
                message.item_case = STRATA__V1__SLOT_RECORD__ITEM_END_SEQUENCE
                message.end_sequence = sequence
            case .totalBytes(let bytes):
                message.item_case = STRATA__V1__SLOT_RECORD__ITEM_TOTAL_BYTES
                message.total_bytes = bytes
            case .batch(let batch):
                message.item_case = STRATA__V1__SLOT_RECORD__ITEM_BATCH
                message.batch = arena.message(SlotBatch.build(batch, in: arena))
            }
            return message
        }
    }
}
