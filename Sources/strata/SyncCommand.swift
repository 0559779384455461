import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataClient
import StrataCore
import StrataText
import StrataWire

/// `strata sync DIR --namespace NS`: makes the namespace mirror the directory, sending only
/// what changed; `--watch` keeps it so.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Make a namespace mirror a directory: send new and changed files, delete documents whose files are gone.",
        discussion: """
            Files are compared by content hash with the documents the coordinator holds, so only changed files are \
            sent, from any machine. .gitignore files and the ingest ignore rules are honoured; binary, empty and \
            oversized files are skipped. Safe to interrupt: a rerun finishes the mirror. `strata status --namespace NS` \
            shows the last sync and any sync in progress.
            """)

    @OptionGroup var options: CoordinatorOptions
    @Option(name: .shortAndLong, help: "Target namespace (created with `strata namespace create`, or with --create).") var namespace: String
    @Flag(help: "Create the namespace (default settings) when it does not exist.") var create = false
    @Option(help: "With --create: a new namespace embeds its text on the server with this model (minilm-l6).") var embedder: String = ""
    @Option(help: "Largest file to mirror, in bytes.") var maxFileBytes: Int = 8 << 20
    @Option(help: "Files per ingest batch (at most 800); progress is recorded after each.") var batchFiles: Int = 800
    @Option(name: .customLong("ignore"), help: "Ignore pattern (as `strata ingest --ignore`); repeatable.") var ignore: [String] = []
    @Flag(help: "Keep syncing when files change (inotify, else polling), after a short quiet period.") var watch = false
    @Option(help: "With --watch: milliseconds without changes before a sync starts.") var debounceMs: Int = 300
    @Option(help: "With --watch: poll every this many milliseconds when inotify is unavailable.") var pollMs: Int = 2000
    @Flag(help: "With --watch: poll even where inotify works.") var poll = false
    @Flag(help: "List the files skipped and why.") var verbose = false
    @Argument(help: "The directory to mirror.") var directory: String

    func validate() throws {
        guard debounceMs >= 0, pollMs >= 10 else { throw ValidationError("--debounce-ms must be 0 or more and --poll-ms 10 or more") }
        guard maxFileBytes >= 1 else { throw ValidationError("--max-file-bytes must be at least 1") }
        guard (1...800).contains(batchFiles) else { throw ValidationError("--batch-files must be 1 to 800") }
        guard embedder.isEmpty || create else { throw ValidationError("--embedder applies with --create only") }
    }

    func run() async throws {
        let settings = FileBatcherSettings(maxFileBytes: maxFileBytes, ignorePatterns: FileBatcherSettings.defaultIgnorePatterns + ignore)
        let client = try options.client()
        if create {
            try await call("sync") {
                if try await !client.listNamespaces().contains(where: { $0.name == namespace }) {
                    _ = try await client.createNamespace(CreateNamespaceRequest(name: namespace, embedder: embedder))
                }
            }
        }
        var syncOptions = DirectorySync.Options(namespace: namespace, root: directory, settings: settings)
        syncOptions.batchFiles = batchFiles
        let sync = DirectorySync(client: client, options: syncOptions)
        // Watching starts before the first sync, so a change made while it runs is not missed.
        let watcher = watch ? try await call("sync --watch") {
            try DirectoryWatcher(root: directory, settings: settings, pollInterval: .milliseconds(pollMs), forcePolling: poll)
        } : nil
        try await once(sync)
        guard let watcher else { return }
        FileHandle.standardError.write(Data("strata: watching \(directory) (\(watcher.mechanism.rawValue)); Ctrl-C stops\n".utf8))
        while true {
            try await watcher.waitForChange(quiet: .milliseconds(debounceMs))
            try watcher.rescan()
            do {
                try await once(sync)
            } catch {
                // Keep watching: the next change (or the cluster coming back) retries.
                FileHandle.standardError.write(Data("strata: sync failed, will retry on the next change\n".utf8))
            }
        }
    }

    private func once(_ sync: DirectorySync) async throws {
        let terminal = isatty(STDERR_FILENO) != 0
        let outcome = try await call("sync") {
            try await sync.run { record in
                guard terminal, record.state == .running else { return }
                let total = record.toAdd + record.toChange
                FileHandle.standardError.write(Data("\r\u{1B}[Ksync: sent \(record.sent)/\(total), deleted \(record.deleted)/\(record.toDelete)".utf8))
            }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let r = outcome.record
        print("synced \(directory) into \(namespace): added \(r.toAdd), changed \(r.toChange), deleted \(r.toDelete), unchanged \(r.unchanged), skipped \(r.skipped) in \(String(format: "%.2f", outcome.seconds)) s")
        for skipped in outcome.skipped where verbose { print("skipped \(skipped)") }
        for rejected in outcome.rejected {
            FileHandle.standardError.write(Data("strata: rejected \(rejected.documentID): \(rejected.reason)\n".utf8))
        }
        fflush(nil)  // with --watch, each sync's line shows as it happens, also through a pipe
    }
}
