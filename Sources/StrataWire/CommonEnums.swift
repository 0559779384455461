import CStrataProto

// The enums of common.proto that have no StrataCore counterpart. Raw values are the proto
// numbers, so mapping is a cast; unknown numbers are refused when reading.

/// `strata.v1.QueryMode`: how a query ranks candidates.
public enum QueryMode: UInt32, Sendable, CaseIterable {
    /// Lexical for text only, vector for a vector only, hybrid for both.
    case auto = 0
    case lexical = 1
    case vector = 2
    case hybrid = 3

    var wire: Strata__V1__QueryMode { Strata__V1__QueryMode(rawValue: rawValue) }
}

/// `strata.v1.ContextOrder`: how the assembled context is ordered.
public enum ContextOrder: UInt32, Sendable, CaseIterable {
    /// Grouped by document, in document order (the default).
    case document = 0
    /// Best passage first.
    case score = 1

    var wire: Strata__V1__ContextOrder { Strata__V1__ContextOrder(rawValue: rawValue) }
}

/// `strata.v1.Metric`: a namespace's vector similarity.
public enum Metric: UInt32, Sendable, CaseIterable {
    case cosine = 0
    case dot = 1

    var wire: Strata__V1__Metric { Strata__V1__Metric(rawValue: rawValue) }
}
