/// A validated operation ready for the WAL and the index.
enum PreparedOperation: Sendable {
    case put(RecordCoding.PreparedPut)
    case delete(DocumentKey)
    case drop(String)
    /// Forgets the whole slot (every namespace, every tombstone, its sequence): the worker
    /// no longer holds it. Logged with sequence 0, since it resets the slot's sequence.
    case forgetSlot

    /// The meta record this operation becomes at `slot`/`sequence`.
    func meta(slot: UInt32, sequence: UInt64) -> MetaRecord {
        switch self {
        case .put(let p): MetaRecord(slot: slot, sequence: sequence, operation: .put(p.key, p.chunks, p.metadata))
        case .delete(let k): MetaRecord(slot: slot, sequence: sequence, operation: .delete(k))
        case .drop(let ns): MetaRecord(slot: slot, sequence: sequence, operation: .drop(namespace: ns))
        case .forgetSlot: MetaRecord(slot: slot, sequence: sequence, operation: .forgetSlot)
        }
    }
}
