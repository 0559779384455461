import Testing

/// Waits (polling every 10 ms, at most `limit`) until `condition` holds, and returns how long
/// it took; past the limit it records an issue naming `what`. For outcomes that arrive
/// asynchronously -- the wait is for the outcome, the duration is only reported, never asserted
/// against a tight bound.
@discardableResult
public func waitFor(_ what: String, limit: Duration = .seconds(20), _ condition: () async -> Bool) async throws -> Duration {
    let started = ContinuousClock.now
    while !(await condition()) {
        guard ContinuousClock.now - started < limit else {
            Issue.record("\(what): not within \(limit)")
            return limit
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    return ContinuousClock.now - started
}
