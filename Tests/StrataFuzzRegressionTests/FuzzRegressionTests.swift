import Foundation
import StrataTestSupport
import Testing

/// Every fuzz target's seeds, and every input under `Fuzz/regressions/TARGET/` (inputs that
/// once crashed a target or broke one of its properties), run through the target's own
/// executable in a normal build: what libFuzzer found stays fixed without libFuzzer.
@Suite struct FuzzRegressionTests {
    @Test(arguments: ["wire", "store", "text", "config", "auth", "warm"])
    func seedsAndSavedFailuresReplayCleanly(_ target: String) throws {
        let binary = try #require(TestProcess.builtExecutable("fuzz-\(target)"), "fuzz-\(target) is not built")
        let seeds = TestSupport.temporaryDirectory("strata-fuzz-seeds")
        defer { try? FileManager.default.removeItem(atPath: seeds) }
        let written = try TestProcess.run(binary, ["--write-seeds", seeds])
        #expect(written.status == 0, "\(written.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: seeds).count >= 4)

        var inputs = [seeds]
        let regressions = TestSupport.repositoryRoot + "/Fuzz/regressions/\(target)"
        if FileManager.default.fileExists(atPath: regressions) { inputs.append(regressions) }
        let replay = try TestProcess.run(binary, inputs)
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("replayed"))
    }
}
