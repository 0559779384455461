import StrataCore

/// How documents are cut into chunks.
///
/// Sizes are in Unicode scalars ("characters"): counting scalars costs one byte comparison
/// per byte, while counting grapheme clusters would cost a full Unicode segmentation pass;
/// the two agree on nearly all source and prose text.
public struct ChunkerSettings: Sendable, Hashable, Codable {
    /// The size a chunk aims for; no chunk is longer unless a single grapheme cluster is.
    public var targetCharacters: Int
    /// How many characters each chunk repeats from the end of the previous one (0 = none).
    /// The overlap starts at a word boundary when one exists in that span.
    public var overlapCharacters: Int
    /// A natural boundary is only taken when it leaves the chunk at least this fraction of
    /// the target; otherwise a weaker boundary later in the window wins. Keeps chunks from
    /// becoming tiny just because a blank line came early.
    public var minimumFillFraction: Double

    public init(targetCharacters: Int = 1024, overlapCharacters: Int = 0, minimumFillFraction: Double = 0.5) {
        self.targetCharacters = targetCharacters
        self.overlapCharacters = overlapCharacters
        self.minimumFillFraction = minimumFillFraction
    }

    public static let `default` = ChunkerSettings()

    /// The largest accepted target; larger chunks would not fit an embedding model or a
    /// sensible context slice.
    public static let maximumTargetCharacters = 1 << 20

    /// Throws `invalidArgument` naming the first field that is out of range.
    public func validate() throws {
        guard targetCharacters >= 16, targetCharacters <= Self.maximumTargetCharacters else {
            throw StrataError.invalidArgument("chunker targetCharacters must be between 16 and \(Self.maximumTargetCharacters), got \(targetCharacters)")
        }
        guard overlapCharacters >= 0, overlapCharacters <= targetCharacters / 2 else {
            throw StrataError.invalidArgument("chunker overlapCharacters must be between 0 and half of targetCharacters (\(targetCharacters / 2)), got \(overlapCharacters)")
        }
        guard minimumFillFraction >= 0, minimumFillFraction <= 1, !minimumFillFraction.isNaN else {
            throw StrataError.invalidArgument("chunker minimumFillFraction must be between 0 and 1, got \(minimumFillFraction)")
        }
    }
}
