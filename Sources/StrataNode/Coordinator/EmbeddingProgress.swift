/// Where the server-side embedding of one namespace stands, as the coordinator counts it:
/// a pure value, changed by the events of the embedding loop and of ingest.
///
/// The backlog is counted by the workers (chunks indexed without a vector, one replica per
/// slot) at each round of the loop; between counts, acknowledged ingests add their chunks and
/// embedded chunks are taken off, so `strata status` and `indexing_status` never read 0 while
/// just-ingested text still waits. The next count replaces the estimate.
///
/// | event | backlog afterwards |
/// |---|---|
/// | `counted(n)` | n |
/// | `ingested(k)` | backlog + k |
/// | `embedded(k)` | max(0, backlog − k); embedded total + k |
/// | `failed(why)` | unchanged; `error` = why until the next round that embeds or counts |
struct EmbeddingProgress: Sendable, Equatable {
    private(set) var backlog: UInt64 = 0
    /// Chunks embedded by this coordinator since it started.
    private(set) var embedded: UInt64 = 0
    /// Why the last round failed; empty after a round that worked.
    private(set) var error = ""
    /// Whether the workers have counted the backlog at least once since the coordinator started.
    private(set) var counted = false

    mutating func counted(_ pending: UInt64) {
        backlog = pending
        counted = true
        error = ""
    }

    mutating func ingested(_ chunks: UInt64) { backlog += chunks }

    mutating func embedded(_ chunks: UInt64) {
        backlog -= min(backlog, chunks)
        embedded += chunks
        error = ""
    }

    mutating func failed(_ why: String) { error = why }
}
