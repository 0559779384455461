import StrataCore
import StrataFuzzSupport
import StrataText

/// Text handling on arbitrary bytes: what ingest receives from clients and what the
/// tokenizers read from their vocabulary files. The first byte picks the path:
///
/// | selector | path | property checked |
/// |---|---|---|
/// | 0, 1 | cl100k / o200k `encode` of the bytes (invalid UTF-8 replaced) | decoding the ids gives the text's bytes back; `countTokens` equals the id count |
/// | 2 | `encodeRecognizingSpecialTokens` (o200k) | decodes back to the text |
/// | 3 | the chunker on the raw bytes (settings from the next bytes) | valid UTF-8 only; chunks are in order, inside the text, and their text is the text's bytes there |
/// | 4 | the estimator | never negative |
/// | 5 | a vocabulary file parser on the bytes | throws or loads; never traps |
///
/// The vocabularies are the installed ones (`scripts/install-vocab.sh`); without them the
/// BPE paths are skipped (the fuzz script checks they are there).
enum TextFuzzTokenizers {
    static let cl100k = try? TokenizerRegistry.loadBPE(.cl100kBase)
    static let o200k = try? TokenizerRegistry.loadBPE(.o200kBase)
}

func textTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = FuzzInput(data, size)
    switch input.byte() % 6 {
    case 0: checkRoundTrip(TextFuzzTokenizers.cl100k, input.rest())
    case 1: checkRoundTrip(TextFuzzTokenizers.o200k, input.rest())
    case 2:
        guard let tokenizer = TextFuzzTokenizers.o200k else { return 0 }
        let text = String(decoding: input.rest(), as: UTF8.self)
        let ids = tokenizer.encodeRecognizingSpecialTokens(text)
        fuzzCheck((try? tokenizer.decodeBytes(ids)) == Array(text.utf8), "o200k special-token round trip")
    case 3:
        let target = 64 + Int(input.byte()) * 4
        let overlap = Int(input.byte()) % (target / 2)
        checkChunks(target: target, overlap: overlap, input.rest())
    case 4:
        let text = String(decoding: input.rest(), as: UTF8.self)
        fuzzCheck(EstimateTokenizer().countTokens(text[...]) >= 0, "estimate is negative")
    default:
        _ = try? BPETokenizer(encoding: .cl100kBase, vocabularyFile: input.rest(), fileName: "fuzz.tiktoken")
    }
    return 0
}

private func checkRoundTrip(_ tokenizer: BPETokenizer?, _ bytes: [UInt8]) {
    guard let tokenizer else { return }
    let text = String(decoding: bytes, as: UTF8.self)
    let ids = tokenizer.encode(text)
    fuzzCheck((try? tokenizer.decodeBytes(ids)) == Array(text.utf8), "\(tokenizer.encoding.name): decode(encode(text)) is not the text")
    fuzzCheck(tokenizer.countTokens(text[...]) == ids.count, "\(tokenizer.encoding.name): countTokens differs from encode")
}

private func checkChunks(target: Int, overlap: Int, _ bytes: [UInt8]) {
    guard let chunker = try? Chunker(settings: ChunkerSettings(targetCharacters: target, overlapCharacters: overlap)) else { return }
    let valid = String(validating: bytes, as: UTF8.self) != nil
    guard let chunks = try? chunker.chunk(documentID: "fuzz", bytes: bytes) else {
        fuzzCheck(!valid, "the chunker refused valid UTF-8")
        return
    }
    fuzzCheck(valid, "the chunker accepted invalid UTF-8")
    var previousStart = -1
    for chunk in chunks {
        let p = chunk.provenance
        fuzzCheck(0 <= p.byteStart && p.byteStart < p.byteEnd && p.byteEnd <= bytes.count, "chunk range \(p.byteStart)..<\(p.byteEnd) outside 0..<\(bytes.count)")
        fuzzCheck(p.byteStart > previousStart, "chunks out of order")
        fuzzCheck(Array(chunk.text.utf8) == Array(bytes[p.byteStart..<p.byteEnd]), "chunk text is not the text's bytes at its range")
        fuzzCheck(p.lineStart >= 1 && p.lineStart <= p.lineEnd, "chunk lines \(p.lineStart)...\(p.lineEnd)")
        previousStart = p.byteStart
    }
    if overlap == 0, let last = chunks.last {
        fuzzCheck(chunks.first?.provenance.byteStart == 0 && last.provenance.byteEnd == bytes.count, "chunks without overlap do not cover the text")
    }
}
