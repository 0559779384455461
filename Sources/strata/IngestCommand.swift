import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataClient
import StrataCore
import StrataRPC
import StrataText
import StrataWire

/// `strata ingest PATH…`: walks files and directories, skips binaries and ignored paths, and
/// streams them to the coordinator in batches, with a progress line on a terminal.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Ingest files and directories into a namespace.")

    @OptionGroup var options: CoordinatorOptions
    @Option(name: .shortAndLong, help: "Target namespace (created with `strata namespace create`).") var namespace: String
    @Option(help: "Files per batch (at most 800).") var batchFiles: Int = 800
    @Option(help: "Largest file to ingest, in bytes.") var maxFileBytes: Int = 8 << 20
    @Option(name: .customLong("ignore"), help: "Ignore pattern (glob with * and ?; a trailing / matches directories); repeatable.") var ignore: [String] = []
    @Option(name: .customLong("meta"), help: "Metadata key=value for every document of this ingest (queries filter on it with --where); repeatable.")
    var meta: [String] = []
    @Flag(help: "List the files skipped and why.") var verbose = false
    @Argument(help: "Files and directories.") var paths: [String]

    func validate() throws {
        guard (1...800).contains(batchFiles) else { throw ValidationError("--batch-files must be 1 to 800") }
        guard !paths.isEmpty else { throw ValidationError("give at least one file or directory") }
        _ = try KeyValueOption.parse(meta, option: "--meta")
    }

    func run() async throws {
        // Batches stay well under the RPC message limit (16 MiB by default).
        let settings = FileBatcherSettings(maxFilesPerBatch: batchFiles, maxBatchBytes: 8 << 20, maxFileBytes: maxFileBytes,
                                           ignorePatterns: FileBatcherSettings.defaultIgnorePatterns + ignore)
        let metadata = try KeyValueOption.parse(meta, option: "--meta")
        let (batcher, progress) = try await call("ingest") {
            let batcher = try FileBatcher(roots: paths, settings: settings)
            let progress = IngestProgress(terminal: isatty(STDERR_FILENO) != 0, survey: batcher.survey(),
                                          tokenizer: try await namespaceTokenizer())
            return (batcher, progress)
        }
        let transport = try options.channel()
        let summary: IngestSummary = try await call("ingest") {
            defer { progress.finish() }
            // A stream cut off by a coordinator that stopped, or refused by one that does not
            // lead, is sent again whole to the next (documents are upserts: idempotent).
            var giveUp: ContinuousClock.Instant?
            var batches = batcher
            while true {
                let address = transport.target
                do {
                    return try await send(batches, to: transport, metadata: metadata, progress: progress)
                } catch let error as RPCError where ContinuousClock.now < (giveUp ?? .now + transport.patience)
                    && transport.clientStreamFailed(at: address, error) {
                    if giveUp == nil { giveUp = .now + transport.patience }
                    progress.note("\(address): \(error.message); sending again to \(transport.target)")
                    try await Task.sleep(for: .milliseconds(200))
                    batches = try FileBatcher(roots: paths, settings: settings)
                }
            }
        }
        print("ingested \(summary.documents) documents: \(summary.chunks) chunks, \(summary.tokens) tokens in \(String(format: "%.1f", summary.seconds)) s"
              + (summary.seconds > 0 ? String(format: " (%.0f tokens/s)", Double(summary.tokens) / summary.seconds) : ""))
        if progress.skipped > 0 { print("skipped \(progress.skipped) files (empty, binary, too large or ignored; --verbose lists them)") }
        for rejected in summary.rejected {
            FileHandle.standardError.write(Data("strata: rejected \(rejected.documentID): \(rejected.reason)\n".utf8))
        }
        // Invalid documents among stored ones are a partial success (listed above); valid ones
        // the cluster could not store (too few replicas) make the ingest fail, so that a script
        // runs it again (upserts are idempotent); none stored at all is a failure.
        let unstored = summary.rejected.filter(\.retry).count
        if unstored > 0 {
            FileHandle.standardError.write(Data("strata: \(unstored) documents were not stored (too few replicas acknowledged them); run the ingest again\n".utf8))
            throw ExitCode(CLIFailure.failed)
        }
        if summary.documents == 0 && !summary.rejected.isEmpty { throw ExitCode(CLIFailure.failed) }
    }

    /// Streams every batch of `batcher` to the coordinator; its summary.
    private func send(_ batcher: FileBatcher, to transport: FailoverTransport, metadata: [KeyValue],
                      progress: IngestProgress) async throws -> IngestSummary {
        let stream = try transport.openClientStream(MethodPath.coordinatorIngest, options: options.callOptions(timeout: nil))
        // The first message names the namespace even when there is nothing to send, so
        // an unknown namespace is an error rather than an empty success.
        try await stream.send(IngestRequest(namespace: namespace, documents: []).serializedBytes())
        for batch in batcher {
            for skipped in batch.skipped where verbose { progress.note("skipped \(skipped)") }
            progress.skipped += batch.skipped.count
            // An empty file has nothing to find; the server would reject it as an empty document.
            let files = batch.files.filter { !$0.text.isEmpty }
            progress.skipped += batch.files.count - files.count
            guard !files.isEmpty else { continue }
            let documents = files.map { Document(id: $0.documentID, text: $0.text, metadata: metadata) }
            try await stream.send(IngestRequest(namespace: namespace, documents: documents).serializedBytes())
            progress.sent(files)
        }
        return try IngestSummary(serializedBytes: await stream.finish())
    }

    /// The namespace's tokenizer, to count tokens for the progress line as the workers will.
    /// Nil (an estimate is shown) when the namespace is unknown here (the ingest then reports
    /// the error) or its vocabulary is not installed on this machine.
    private func namespaceTokenizer() async throws -> (any TokenCounting)? {
        let list = try ListNamespacesResponse(serializedBytes: await options.channel().unary(
            MethodPath.coordinatorListNamespaces, ListNamespacesRequest().serializedBytes(), options: options.callOptions))
        guard let kind = list.namespaces.first(where: { $0.name == namespace })?.tokenizer else { return nil }
        return try? TokenizerRegistry.load(kind)
    }
}
