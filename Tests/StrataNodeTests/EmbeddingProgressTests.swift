import Testing
@testable import StrataNode

@Suite struct EmbeddingProgressTests {
    @Test func theBacklogFollowsCountsIngestsAndEmbeddings() {
        var progress = EmbeddingProgress()
        #expect(progress.backlog == 0 && !progress.counted)
        progress.ingested(40)
        #expect(progress.backlog == 40)  // never 0 right after an ingest, before any count
        progress.counted(35)
        #expect(progress.backlog == 35 && progress.counted)
        progress.embedded(32)
        #expect(progress.backlog == 3 && progress.embedded == 32)
        progress.embedded(10)
        #expect(progress.backlog == 0 && progress.embedded == 42)
    }

    @Test func anErrorStaysUntilARoundWorks() {
        var progress = EmbeddingProgress()
        progress.failed("model missing")
        #expect(progress.error == "model missing")
        progress.ingested(5)
        #expect(progress.error == "model missing")
        progress.counted(5)
        #expect(progress.error.isEmpty)
    }
}
