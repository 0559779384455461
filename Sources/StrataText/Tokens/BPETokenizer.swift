import StrataCore

/// An exact byte-level BPE tokenizer for tiktoken vocabularies (`cl100k_base`, `o200k_base`),
/// producing the same ids as tiktoken's `encode_ordinary`.
///
/// Text is encoded as text: a special-token string such as `<|endoftext|>` inside a user
/// document is split and merged like any other characters, which is what a model sees when
/// the document is sent as content, and what counting documents needs. Use
/// `encodeRecognizingSpecialTokens` for tiktoken's `encode(allowed_special="all")`.
///
/// Immutable after loading and safe to share between threads.
public final class BPETokenizer: TokenCounting, Sendable {
    public let encoding: TiktokenEncoding
    let table: RankTable
    private let specialByID: [Int: String]

    public var kind: TokenizerKind { encoding.kind }

    /// Number of ordinary (non-special) tokens in the vocabulary.
    public var vocabularySize: Int { table.count }

    init(encoding: TiktokenEncoding, tokens: TokenList) {
        self.encoding = encoding
        self.table = RankTable(tokens)
        var byID: [Int: String] = [:]
        for (text, id) in encoding.specialTokens { byID[id] = text }
        self.specialByID = byID
    }

    /// Loads the encoding's vocabulary file from the bytes of a `.tiktoken` file.
    public convenience init(encoding: TiktokenEncoding, vocabularyFile data: [UInt8], fileName: String) throws {
        let tokens = try TiktokenFileParser.parse(data, fileName: fileName)
        guard tokens.ranks.count >= 256 else {
            throw StrataError.invalidArgument("vocabulary file \(fileName) holds \(tokens.ranks.count) tokens, fewer than the 256 single bytes")
        }
        self.init(encoding: encoding, tokens: tokens)
        guard !table.byteRanks.contains(-1) else {
            throw StrataError.invalidArgument("vocabulary file \(fileName) lacks some single-byte tokens")
        }
    }

    /// The token ids of `text`, special-token strings encoded as ordinary text.
    public func encode(_ text: String) -> [Int] {
        encode(text[...])
    }

    /// The token ids of `text`, special-token strings encoded as ordinary text.
    public func encode(_ text: Substring) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3)
        forEachToken(text) { ids.append($0) }
        return ids
    }

    /// The number of tokens `text` encodes to, without building the id array.
    public func countTokens(_ text: Substring) -> Int {
        var n = 0
        forEachToken(text) { _ in n += 1 }
        return n
    }

    /// Calls `body` with each token id of `text` in order.
    @inline(__always)
    func forEachToken(_ text: Substring, _ body: (Int) -> Void) {
        var text = text
        text.withUTF8 { buffer in
            switch encoding.pattern {
            case .cl100k: encodeBuffer(buffer, CL100kPreTokenizer(), body)
            case .o200k: encodeBuffer(buffer, O200kPreTokenizer(), body)
            }
        }
    }

    @inline(__always)
    private func encodeBuffer<P: PreTokenizer>(_ buffer: UnsafeBufferPointer<UInt8>, _ pre: P, _ body: (Int) -> Void) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let merger = BytePairMerger(table: table)
        pre.forEachPiece(buffer) { start, end in
            merger.encode(base + start, end - start, body)
        }
    }

    /// The bytes the ids stand for. Throws for an id outside the vocabulary.
    public func decodeBytes(_ ids: [Int]) throws -> [UInt8] {
        var out: [UInt8] = []
        for id in ids {
            if let bytes = table.tokenBytes(id) {
                out.append(contentsOf: bytes)
            } else if let special = specialByID[id] {
                out.append(contentsOf: special.utf8)
            } else {
                throw StrataError.invalidArgument("token id \(id) is not in the \(encoding.name) vocabulary")
            }
        }
        return out
    }

    /// The text the ids stand for; byte sequences that are not valid UTF-8 (a token list cut
    /// inside a character) become U+FFFD, as tiktoken's `decode` does by default.
    public func decode(_ ids: [Int]) throws -> String {
        String(decoding: try decodeBytes(ids), as: UTF8.self)
    }
}
