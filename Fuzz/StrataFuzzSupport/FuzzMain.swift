import CStrataFuzz
import Foundation

/// The `main` of every fuzz target. Built with `-sanitize=fuzzer` (scripts/fuzz.sh), it hands
/// the process to libFuzzer, which calls the target's test function for every input. In a normal
/// build it replays the files or directories named on the command line through the same
/// function -- how a crash found by fuzzing is checked again, and how the regression tests
/// run the saved inputs without libFuzzer.
///
/// `--write-seeds DIR` asks the target to write its seed inputs (built from the golden files
/// and real encoders) into DIR.
public enum FuzzMain {
    public static func run(
        _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32,
        writeSeeds: (String) throws -> Void
    ) -> Never {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            do {
                try FileManager.default.createDirectory(atPath: arguments[2], withIntermediateDirectories: true)
                try writeSeeds(arguments[2])
                exit(0)
            } catch {
                FileHandle.standardError.write(Data("cannot write seeds: \(error)\n".utf8))
                exit(1)
            }
        }
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        let status = withUnsafeMutablePointer(to: &argv) { pointer in
            pointer.withMemoryRebound(to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self, capacity: 1) {
                strata_fuzz_run_driver(&argc, $0, testOneInput)
            }
        }
        guard status == -1 else { exit(status) }
        exit(replay(arguments.dropFirst().filter { !$0.hasPrefix("-") }, testOneInput))
    }

    /// Runs every file (directories: every file in them) through the target once.
    static func replay(_ paths: ArraySlice<String>, _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("no such file: \(path)\n".utf8))
                return 1
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            let bytes = [UInt8](FileManager.default.contents(atPath: file) ?? Data())
            _ = bytes.withUnsafeBufferPointer { testOneInput($0.baseAddress, $0.count) }
        }
        print("replayed \(files.count) input(s) without libFuzzer (build with scripts/fuzz.sh to fuzz)")
        return 0
    }
}
