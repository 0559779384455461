import CStrataSupport
import StrataCore

/// The digest of a slot's live documents, kept incrementally by `PersistentIndex`: the
/// wrapping sum, over every live document, of the low 64 bits of XXH3-128 of
/// `namespace ‖ 0xFF ‖ document id ‖ 0xFF ‖ sequence (u64 LE) ‖ each chunk's content hash (high, low: u64 LE)`.
///
/// A sum is order-free and can be undone, so a put adds its document's term and a removal
/// subtracts it, whatever the order of writes or of a recovery's replay. Two replicas at the
/// same sequence that took the same writes (or a copy of them) hold the same documents with
/// the same sequences, so their digests agree; a replica that lacks a document, holds an
/// older version of it or has other chunk text does not. The coordinator compares digests
/// before it drops a slot's old replica (`SlotPosition.digest` in common.proto).
enum SlotDigest {
    /// One document's term.
    static func term(namespace: String, documentID: String, sequence: UInt64, chunks: [DocChunk]) -> UInt64 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(namespace.utf8.count + documentID.utf8.count + 10 + 16 * chunks.count)
        bytes += namespace.utf8
        bytes.append(0xFF)
        bytes += documentID.utf8
        bytes.append(0xFF)
        append(sequence, to: &bytes)
        for chunk in chunks {
            append(chunk.hash.high, to: &bytes)
            append(chunk.hash.low, to: &bytes)
        }
        return ContentHash.of(bytes).low
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
