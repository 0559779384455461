/// A text file ready to ingest.
public struct IngestFile: Sendable, Hashable {
    /// Relative, normalized id (see `DocumentID`).
    public var documentID: String
    /// Where it was read from.
    public var path: String
    public var text: String
}

/// A file or directory that was not ingested, and why.
public struct SkippedFile: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: SkipReason

    public init(path: String, reason: SkipReason) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Why an entry was skipped.
public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
    /// NUL bytes or non-UTF-8 bytes in the first bytes of the file.
    case binary(String)
    /// Valid-looking start, but invalid UTF-8 later in the file.
    case invalidUTF8(offset: Int)
    case tooLarge(bytes: Int, limit: Int)
    case ignored(pattern: String)
    /// Symbolic links are not followed (they can loop or leave the root).
    case symbolicLink
    /// Sockets, devices, FIFOs.
    case notRegularFile
    /// Another root already produced this document id.
    case duplicateDocumentID(String)
    case unreadable(String)

    public var description: String {
        switch self {
        case .binary(let why): return why
        case .invalidUTF8(let offset): return "not valid UTF-8 (first bad byte at offset \(offset))"
        case .tooLarge(let bytes, let limit): return "too large: \(bytes) bytes, limit \(limit) (maxFileBytes)"
        case .ignored(let pattern): return "ignored by pattern \(pattern)"
        case .symbolicLink: return "symbolic link, not followed"
        case .notRegularFile: return "not a regular file"
        case .duplicateDocumentID(let id): return "duplicate document id \(id)"
        case .unreadable(let why): return "unreadable: \(why)"
        }
    }
}

/// Up to `maxFilesPerBatch` text files, plus what was skipped while collecting them.
public struct FileBatch: Sendable {
    public var files: [IngestFile] = []
    public var skipped: [SkippedFile] = []
    /// UTF-8 bytes of text in `files` (in a survey: bytes of the files counted).
    public var textBytes = 0
    /// Files counted but not read, in a survey.
    var surveyedFiles = 0
}

/// What an ingest will visit, from `FileBatcher.survey()`.
public struct IngestSurvey: Sendable, Hashable {
    /// Candidate files (after ignore rules and the size limit).
    public var files = 0
    /// Their total size in bytes.
    public var bytes = 0

    public init(files: Int = 0, bytes: Int = 0) {
        self.files = files
        self.bytes = bytes
    }
}
