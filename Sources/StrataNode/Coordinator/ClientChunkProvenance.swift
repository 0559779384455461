import StrataCore

/// Where the chunks of a client-chunked document sit in it (`Document.chunks`).
///
/// Provenance is optional on the wire, but context assembly needs it (it merges neighbouring
/// chunks and labels passages with lines), so ingest settles it: with none on any chunk the
/// chunks are taken to follow one another (the document is their concatenation); given on
/// every chunk, each must span its text exactly, with 1-based lines. A mix is refused, as is a
/// range that does not match its text — at ingest, naming the field, rather than failing every
/// later query that meets the chunk.
enum ClientChunkProvenance {
    /// The provenance of each chunk of `texts`, from what the client sent (`given`, same
    /// order; a default `ChunkProvenance` with all zeros means none).
    static func resolve(documentID: String, texts: [String], given: [ChunkProvenance]) throws(StrataError) -> [ChunkProvenance] {
        let present = given.map { $0.byteStart != 0 || $0.byteEnd != 0 || $0.lineStart != 0 || $0.lineEnd != 0 }
        if !present.contains(true) { return laidEndToEnd(documentID: documentID, texts: texts) }
        if let missing = present.firstIndex(of: false) {
            throw .invalidArgument("document \(documentID) chunks[\(missing)].provenance is missing while other chunks have one; give it on every chunk or on none")
        }
        var resolved: [ChunkProvenance] = []
        for (index, (text, provenance)) in zip(texts, given).enumerated() {
            let field = "document \(documentID) chunks[\(index)].provenance"
            guard provenance.byteStart >= 0, provenance.byteEnd - provenance.byteStart == text.utf8.count else {
                throw .invalidArgument("\(field) spans bytes \(provenance.byteStart)..<\(provenance.byteEnd) but the text has \(text.utf8.count) bytes")
            }
            guard provenance.lineStart >= 1, provenance.lineEnd >= provenance.lineStart else {
                throw .invalidArgument("\(field) lines \(provenance.lineStart)-\(provenance.lineEnd) are not a 1-based range")
            }
            var placed = provenance
            placed.documentID = documentID
            resolved.append(placed)
        }
        return resolved
    }

    /// Chunks placed one after another from byte 0 and line 1, as the chunker numbers them:
    /// a chunk's last line is the line of its last byte.
    static func laidEndToEnd(documentID: String, texts: [String]) -> [ChunkProvenance] {
        var byte = 0
        var line = 1
        return texts.map { text in
            let bytes = text.utf8
            let newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            let trailing = bytes.last == 0x0A ? 1 : 0
            let placed = ChunkProvenance(documentID: documentID, byteStart: byte, byteEnd: byte + bytes.count,
                                         lineStart: line, lineEnd: line + newlines - trailing)
            byte += bytes.count
            line += newlines
            return placed
        }
    }
}
