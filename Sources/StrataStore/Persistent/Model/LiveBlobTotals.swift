/// Counts of the bodies that live documents reference (refCount > 0): what `detailedStats`
/// reports as entries, tokens and text bytes. `PersistentIndex` keeps them in step with every
/// reference-count change, so a status or heartbeat call no longer walks every body.
struct LiveBlobTotals: Sendable, Equatable {
    var entries = 0
    var tokens = 0
    var textBytes = 0

    /// Adds (`sign` 1) or removes (`sign` -1) one body.
    mutating func count(_ entry: BlobEntry, sign: Int) {
        entries += sign
        tokens += sign * entry.tokenCount
        textBytes += sign * entry.textBytes
    }
}

extension BlobEntry {
    /// Changes the reference count by `delta`, counting the body in or out of `live` when it
    /// crosses between referenced and unreferenced.
    mutating func addReferences(_ delta: Int, live: inout LiveBlobTotals) {
        let wasLive = refCount > 0
        refCount += delta
        let isLive = refCount > 0
        if wasLive != isLive { live.count(self, sign: isLive ? 1 : -1) }
    }
}
