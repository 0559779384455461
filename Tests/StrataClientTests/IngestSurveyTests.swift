import Foundation
import Testing
@testable import StrataClient

@Suite struct IngestSurveyTests {
    @Test func surveyCountsWhatTheWalkVisitsWithoutReadingIt() throws {
        let tree = try FileBatcherTests().makeTree()
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let settings = FileBatcherSettings(maxFilesPerBatch: 2, maxFileBytes: 10_000)
        let batcher = try FileBatcher(roots: [tree], settings: settings)
        let survey = batcher.survey()
        let read = Array(batcher)
        // The four text files plus the four the survey cannot tell apart without reading
        // them (binary, Latin-1, invalid UTF-8 or a NUL late in the file); ignored, oversized
        // and linked entries are left out, as in the walk.
        #expect(survey.files == 8)
        let textBytes = read.reduce(0) { $0 + $1.textBytes }
        #expect(survey.bytes == textBytes + 6 + 12 + 9001 + 9006)
        #expect(read.flatMap(\.files).count == 4)
    }

    @Test func progressLineShowsBarFilesTokensRateAndETA() {
        var line = IngestProgressLine(total: IngestSurvey(files: 10, bytes: 1000))
        line.files = 5
        line.bytes = 500
        line.tokens = 12_345
        #expect(line.render(seconds: 2, barWidth: 10) == "[#####.....]   50%  5/10 files  12.3K tokens  6.2K tokens/s  ETA 2s")
        line.tokensExact = false
        #expect(line.render(seconds: 2, barWidth: 0) == " 50%  5/10 files  ~12.3K tokens  ~6.2K tokens/s  ETA 2s")
    }

    @Test func progressLineHandlesEdges() {
        var line = IngestProgressLine(total: IngestSurvey(files: 0, bytes: 0))
        #expect(line.render(seconds: 0, barWidth: 4).hasPrefix("[####]  100%"))
        line.total = IngestSurvey(files: 3, bytes: 100)
        #expect(line.render(seconds: 1, barWidth: 4).hasSuffix("ETA --"))
        line.bytes = 1
        #expect(line.render(seconds: 100, barWidth: 4).hasSuffix("ETA 2h45m"))
        line.bytes = 200 // more than surveyed: files grew; the bar stops at full
        #expect(line.render(seconds: 1, barWidth: 4).hasPrefix("[####]  100%"))
        #expect(IngestProgressLine.compact(2_500_000_000) == "2.50B")
        #expect(IngestProgressLine.eta(fraction: 0.5, seconds: 125) == "2m05s")
    }
}
