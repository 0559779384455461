import Foundation
import StrataCore
import Testing
@testable import StrataText

@Suite struct ChunkerTests {
    let chunker = try! Chunker()

    /// Every chunk is exactly its byte range, ranges tile the text, lines are right.
    func checkInvariants(_ text: String, _ chunks: [TextChunk], overlapping: Bool = false) {
        let bytes = Array(text.utf8)
        var expectedStart = 0
        for chunk in chunks {
            let p = chunk.provenance
            #expect(Array(chunk.text.utf8) == Array(bytes[p.byteStart..<p.byteEnd]))
            if overlapping {
                #expect(p.byteStart <= expectedStart && p.byteStart >= 0)
            } else {
                #expect(p.byteStart == expectedStart)
            }
            #expect(p.byteEnd > p.byteStart)
            #expect(p.lineStart == 1 + bytes[..<p.byteStart].filter { $0 == 0x0A }.count)
            #expect(p.lineEnd == 1 + bytes[..<(p.byteEnd - 1)].filter { $0 == 0x0A }.count)
            expectedStart = p.byteEnd
        }
        #expect(expectedStart == bytes.count)
    }

    /// Offsets of all grapheme boundaries of `text`.
    func graphemeBoundaries(_ text: String) -> Set<Int> {
        var result: Set<Int> = [0]
        var offset = 0
        for c in text { offset += c.utf8.count; result.insert(offset) }
        return result
    }

    @Test func emptyTextHasNoChunks() {
        #expect(chunker.chunk(documentID: "a", text: "").isEmpty)
    }

    @Test func shortTextIsOneChunkWithItsLines() {
        let chunks = chunker.chunk(documentID: "doc.txt", text: "one\ntwo\nthree")
        #expect(chunks == [TextChunk(text: "one\ntwo\nthree", provenance: ChunkProvenance(
            documentID: "doc.txt", byteStart: 0, byteEnd: 13, lineStart: 1, lineEnd: 3))])
    }

    @Test func realSourceFilesTileExactlyAndStayUnderTarget() throws {
        let files = Corpus.files(under: "/usr/include", extensions: [".h"], maxBytes: 600_000, stride: 37)
        #expect(files.count > 10)
        for file in files {
            let chunks = chunker.chunk(documentID: file.path, text: file.text)
            checkInvariants(file.text, chunks)
            for chunk in chunks { #expect(chunk.text.unicodeScalars.count <= 1024) }
        }
    }

    @Test func prefersBlankLinesThenLineEnds() throws {
        let paragraph = String(repeating: "word ", count: 60) + "\n"  // 301 characters
        let text = String(repeating: paragraph + paragraph + "\n", count: 6)
        let chunks = try Chunker(settings: ChunkerSettings(targetCharacters: 1024)).chunk(documentID: "p", text: text)
        checkInvariants(text, chunks)
        for chunk in chunks.dropLast() { #expect(chunk.text.hasSuffix("\n\n")) }

        let lines = String(repeating: String(repeating: "x", count: 99) + "\n", count: 30)
        let lineChunks = chunker.chunk(documentID: "l", text: lines)
        checkInvariants(lines, lineChunks)
        #expect(lineChunks.count == 3)
        for chunk in lineChunks { #expect(chunk.text.hasSuffix("\n")) }
        #expect(lineChunks[0].provenance.lineStart == 1 && lineChunks[0].provenance.lineEnd == 10)
        #expect(lineChunks[1].provenance.lineStart == 11 && lineChunks[1].provenance.lineEnd == 20)
    }

    @Test func singleLineProseCutsAfterSentencesThenWords() throws {
        let sentence = "The quick brown fox jumps over the lazy dog again and again. "
        let text = String(repeating: sentence, count: 40)
        let chunks = try Chunker(settings: ChunkerSettings(targetCharacters: 200)).chunk(documentID: "s", text: text)
        checkInvariants(text, chunks)
        for chunk in chunks.dropLast() { #expect(chunk.text.hasSuffix(". ")) }

        let words = String(repeating: "lorem ipsum ", count: 100)
        let wordChunks = try Chunker(settings: ChunkerSettings(targetCharacters: 100)).chunk(documentID: "w", text: words)
        checkInvariants(words, wordChunks)
        for chunk in wordChunks.dropLast() { #expect(chunk.text.hasSuffix(" ")) }
    }

    @Test func neverSplitsGraphemeClusters() throws {
        let clusters = ["👨‍👩‍👧‍👦", "🇫🇷", "🇩🇪", "e\u{301}\u{302}", "👍🏽", "한", "\r\n", "a", "❤️", "क्षि"]
        var text = ""
        for i in 0..<3000 { text += clusters[(i * 7) % clusters.count] }
        // Without spaces or newlines (except CR LF) every cut is a hard cut.
        for target in [16, 17, 100, 1024] {
            let chunks = try Chunker(settings: ChunkerSettings(targetCharacters: target)).chunk(documentID: "e", text: text)
            checkInvariants(text, chunks)
            let boundaries = graphemeBoundaries(text)
            for chunk in chunks { #expect(boundaries.contains(chunk.provenance.byteEnd)) }
        }
        // A long run of flags: pairs are counted from the run's start, far before any cut.
        let flags = String(repeating: "🇫🇷🇩🇪🇯🇵", count: 200)
        for target in [16, 17, 33] {
            let chunks = try Chunker(settings: ChunkerSettings(targetCharacters: target)).chunk(documentID: "f", text: flags)
            checkInvariants(flags, chunks)
            for chunk in chunks { #expect(chunk.text.count == chunk.text.unicodeScalars.count / 2) }
        }
        // A space followed by a combining mark is one cluster: no word cut may land between.
        let tricky = String(repeating: "ab \u{301}cd ", count: 400)
        let chunks = try Chunker(settings: ChunkerSettings(targetCharacters: 50)).chunk(documentID: "t", text: tricky)
        checkInvariants(tricky, chunks)
        let boundaries = graphemeBoundaries(tricky)
        for chunk in chunks { #expect(boundaries.contains(chunk.provenance.byteEnd)) }
    }

    @Test func aClusterLongerThanTheTargetStaysWhole() throws {
        let zalgo = "x" + String(repeating: "\u{301}", count: 500) + " tail"
        let chunks = try Chunker(settings: ChunkerSettings(targetCharacters: 32)).chunk(documentID: "z", text: zalgo)
        checkInvariants(zalgo, chunks)
        #expect(chunks[0].text.count == 1 || chunks[0].text.unicodeScalars.count >= 501)
    }

    @Test func overlapRepeatsTheEndOfThePreviousChunk() throws {
        let text = String(repeating: "alpha beta gamma delta. ", count: 200)
        let settings = ChunkerSettings(targetCharacters: 300, overlapCharacters: 60)
        let chunks = try Chunker(settings: settings).chunk(documentID: "o", text: text)
        checkInvariants(text, chunks, overlapping: true)
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(b.provenance.byteStart < a.provenance.byteEnd)
            #expect(a.provenance.byteEnd - b.provenance.byteStart <= 60)
            #expect(b.provenance.byteStart > a.provenance.byteStart)
            // The overlap starts at a word.
            let before = Array(text.utf8)[b.provenance.byteStart - 1]
            #expect(before == 0x20)
        }
    }

    @Test func invalidUTF8IsRejectedNamingTheDocument() throws {
        let bytes: [UInt8] = Array("valid start ".utf8) + [0xC3, 0x28] + Array(" rest".utf8)
        #expect(throws: StrataError.invalidArgument("document src/bad.txt: text is not valid UTF-8 (first bad byte at offset 12)")) {
            try chunker.chunk(documentID: "src/bad.txt", bytes: bytes)
        }
        for bad: [UInt8] in [[0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF]] {
            #expect(throws: StrataError.self) { try chunker.chunk(documentID: "d", bytes: bad) }
        }
        #expect(try chunker.chunk(documentID: "d", bytes: Array("héllo 👋".utf8)).map(\.text) == ["héllo 👋"])
    }

    @Test func settingsOutOfRangeAreRejectedNamingTheField() {
        #expect(throws: StrataError.self) { try Chunker(settings: ChunkerSettings(targetCharacters: 0)) }
        do {
            _ = try Chunker(settings: ChunkerSettings(targetCharacters: 100, overlapCharacters: 80))
            Issue.record("overlap beyond half the target was accepted")
        } catch let error as StrataError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("overlapCharacters"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
