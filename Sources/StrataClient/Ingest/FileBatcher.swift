import Foundation
import StrataCore

/// Walks files and directories for ingest and yields batches of text files, skipping binary,
/// oversized, ignored and unreadable entries with a reason.
///
/// Order is deterministic (directory entries sorted by name). Document ids are relative to
/// the root they were found under: a directory root `src` yields `a/b.swift` for
/// `src/a/b.swift`; a file root yields its file name. With several roots, a directory root's
/// ids start with its own name (`src/a/b.swift`), so that `docs/README.md` and
/// `src/README.md` stay two documents; an id seen twice is still skipped with a reason.
/// Symbolic links are not followed.
/// Files are read when their batch is built, so memory holds one batch at a time.
public struct FileBatcher: Sequence, Sendable {
    public let settings: FileBatcherSettings
    private let roots: [String]
    private let patterns: [IgnorePattern]

    /// Throws `invalidArgument` for bad settings or patterns and `notFound` naming a root
    /// that does not exist.
    public init(roots: [String], settings: FileBatcherSettings = .default) throws {
        try settings.validate()
        guard !roots.isEmpty else { throw StrataError.invalidArgument("paths: no file or directory given") }
        for root in roots where !FileManager.default.fileExists(atPath: root) {
            throw StrataError.notFound("path \(root) does not exist")
        }
        self.settings = settings
        self.roots = roots
        self.patterns = try settings.ignorePatterns.map(IgnorePattern.init)
    }

    public func makeIterator() -> Iterator {
        Iterator(settings: settings, roots: roots, patterns: patterns, surveyOnly: false)
    }

    /// Walks the same entries with the same rules but reads no file: the files and bytes an
    /// ingest will visit, for a progress bar and an ETA. Binary and non-UTF-8 files are only
    /// found when read, so they count here; the figures are an upper bound.
    public func survey() -> IngestSurvey {
        var iterator = Iterator(settings: settings, roots: roots, patterns: patterns, surveyOnly: true)
        var survey = IngestSurvey()
        while let batch = iterator.next() {
            survey.files += batch.surveyedFiles
            survey.bytes += batch.textBytes
        }
        return survey
    }

    /// A file or directory still to visit.
    struct Entry {
        var path: String
        /// The path below its root, which ignore patterns match.
        var relative: String
        var isRoot: Bool
        /// Put before `relative` in document ids (the root's name when there are several roots).
        var idPrefix: String
    }

    /// Produces one batch per `next()`; nil when every root is walked.
    public struct Iterator: IteratorProtocol {
        let settings: FileBatcherSettings
        let patterns: [IgnorePattern]
        /// Count candidate files and their sizes instead of reading them.
        let surveyOnly: Bool
        /// Entries still to visit; a stack, reversed so that popping yields sorted order.
        private var pending: [Entry]
        private var seenIDs: Set<String> = []

        init(settings: FileBatcherSettings, roots: [String], patterns: [IgnorePattern], surveyOnly: Bool) {
            self.settings = settings
            self.patterns = patterns
            self.surveyOnly = surveyOnly
            let prefixed = roots.count > 1
            self.pending = roots.reversed().map { root in
                let name = (root as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? ""
                return Entry(path: root, relative: "", isRoot: true, idPrefix: prefixed && !name.isEmpty ? name + "/" : "")
            }
        }

        public mutating func next() -> FileBatch? {
            var batch = FileBatch()
            var visited = false
            while let entry = pending.popLast() {
                visited = true
                visit(entry, into: &batch)
                if batch.files.count + batch.surveyedFiles >= settings.maxFilesPerBatch || batch.textBytes >= settings.maxBatchBytes { break }
            }
            return visited ? batch : nil
        }

        private mutating func visit(_ entry: Entry, into batch: inout FileBatch) {
            let fm = FileManager.default
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try fm.attributesOfItem(atPath: entry.path)
            } catch {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .unreadable(String(describing: error))))
                return
            }
            let type = attributes[.type] as? FileAttributeType
            if type == .typeSymbolicLink && !entry.isRoot {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .symbolicLink))
                return
            }
            var isDirectory: ObjCBool = false
            _ = fm.fileExists(atPath: entry.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                if let pattern = ignoredBy(entry, isDirectory: true) {
                    batch.skipped.append(SkippedFile(path: entry.path, reason: .ignored(pattern: pattern)))
                    return
                }
                do {
                    let names = try fm.contentsOfDirectory(atPath: entry.path).sorted()
                    for name in names.reversed() {
                        let child = entry.path.hasSuffix("/") ? entry.path + name : entry.path + "/" + name
                        let relative = entry.relative.isEmpty ? name : entry.relative + "/" + name
                        pending.append(Entry(path: child, relative: relative, isRoot: false, idPrefix: entry.idPrefix))
                    }
                } catch {
                    batch.skipped.append(SkippedFile(path: entry.path, reason: .unreadable(String(describing: error))))
                }
                return
            }
            if let pattern = ignoredBy(entry, isDirectory: false) {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .ignored(pattern: pattern)))
                return
            }
            guard type == .typeRegular || (entry.isRoot && type == .typeSymbolicLink) else {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .notRegularFile))
                return
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            if size > settings.maxFileBytes {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .tooLarge(bytes: size, limit: settings.maxFileBytes)))
                return
            }
            if surveyOnly {
                batch.surveyedFiles += 1
                batch.textBytes += size
                return
            }
            readFile(entry, into: &batch)
        }

        private mutating func readFile(_ entry: Entry, into batch: inout FileBatch) {
            let rawID = entry.relative.isEmpty ? (entry.path as NSString).lastPathComponent : entry.idPrefix + entry.relative
            let id: String
            do { id = try DocumentID.normalize(rawID) } catch {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .unreadable("no valid document id: \(error)")))
                return
            }
            guard let data = FileManager.default.contents(atPath: entry.path) else {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .unreadable("cannot read")))
                return
            }
            // Re-check the size: the file may have grown since it was stat'ed.
            if data.count > settings.maxFileBytes {
                batch.skipped.append(SkippedFile(path: entry.path, reason: .tooLarge(bytes: data.count, limit: settings.maxFileBytes)))
                return
            }
            let outcome: (text: String?, reason: SkipReason?) = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let bytes = raw.bindMemory(to: UInt8.self)
                if let reason = TextFile.skipReason(bytes, probeBytes: settings.binaryProbeBytes) { return (nil, reason) }
                return (String(decoding: bytes, as: UTF8.self), nil)
            }
            if let reason = outcome.reason {
                batch.skipped.append(SkippedFile(path: entry.path, reason: reason))
            } else if let text = outcome.text {
                guard seenIDs.insert(id).inserted else {
                    batch.skipped.append(SkippedFile(path: entry.path, reason: .duplicateDocumentID(id)))
                    return
                }
                batch.files.append(IngestFile(documentID: id, path: entry.path, text: text))
                batch.textBytes += data.count
            }
        }

        private func ignoredBy(_ entry: Entry, isDirectory: Bool) -> String? {
            // Roots were named explicitly, so patterns apply only below them.
            guard !entry.isRoot else { return nil }
            return patterns.first { $0.matches(relativePath: entry.relative, isDirectory: isDirectory) }?.description
        }
    }
}
