import StrataEtcd
import Synchronization

extension EtcdControlPlaneStore {
    /// How often a watch asks etcd how far it has seen when nothing changes (a follower's
    /// proof that its copy is current).
    static var progressInterval: Duration { .seconds(1) }

    /// Watches the prefix from `revision + 1`: one update per etcd revision that touched a
    /// record or a mark, plus an empty update (the revision etcd has reached) about once a
    /// second while nothing changes. A failed stream is reopened on the next endpoint from
    /// where it stopped, so nothing is skipped or repeated; the sequence throws only when
    /// etcd no longer has the history to continue (compacted: reload) or refuses the watch.
    public func watch(after revision: ControlPlaneRevision) -> AsyncThrowingStream<ControlPlaneUpdate, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                let cursor = WatchCursor(next: revision.value + 1)
                var failures = 0
                while !Task.isCancelled {
                    do throws(ControlPlaneError) {
                        try await followOneStream(cursor) { continuation.yield($0) }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    failures = cursor.takeProgress() ? 0 : failures + 1
                    // Back off from a failing etcd: 0.1 s, doubling up to 2 s.
                    let pause = Duration.milliseconds(min(2_000, 100 << min(failures, 5)))
                    if (try? await Task.sleep(for: pause)) == nil { break }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs one Watch stream from the cursor until it fails (the endpoint is reported);
    /// throws what ends the watch for good.
    private func followOneStream(_ cursor: WatchCursor, _ deliver: @escaping @Sendable (ControlPlaneUpdate) -> Void) async throws(ControlPlaneError) {
        let start = cursor.next
        let stream: EtcdWatchStream
        do {
            stream = try client.watchStream()
            try await stream.send(.create(.prefix(layout.dataPrefix, startRevision: start)))
        } catch {
            return
        }
        let layout = self.layout
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>.self) { group in
            group.addTask {
                do {
                    for try await response in stream.responses {
                        for update in try Self.updates(from: response, layout: layout, start: start) {
                            cursor.advance(past: update.revision.value)
                            deliver(update)
                        }
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                while (try? await Task.sleep(for: Self.progressInterval)) != nil {
                    do { try await stream.send(.progress) } catch { break }
                }
                return .success(())
            }
            let first = await group.next()!
            group.cancelAll()
            stream.cancel()
            return first
        }
        if case .failure(let error as ControlPlaneError) = outcome { throw error }
        client.endpointFailed(stream.endpoint)
    }

    /// The updates in one watch answer, one per revision; an answer without events is the
    /// revision etcd has reached.
    static func updates(from response: EtcdWatchResponse, layout: EtcdControlPlaneLayout, start: Int64) throws(ControlPlaneError) -> [ControlPlaneUpdate] {
        if response.compactRevision > 0 {
            throw ControlPlaneError(.unavailable, "etcd no longer has the history from revision \(start) (compacted up to \(response.compactRevision)); reload the control plane and watch again")
        }
        if response.canceled {
            throw ControlPlaneError(.unavailable, "etcd cancelled the control plane's watch: \(response.cancelReason.isEmpty ? "no reason given" : response.cancelReason)")
        }
        if response.created { return [] }
        if response.events.isEmpty {
            return response.header.revision > 0 ? [ControlPlaneUpdate(revision: ControlPlaneRevision(response.header.revision))] : []
        }
        var updates: [ControlPlaneUpdate] = []
        for event in response.events {
            let revision = ControlPlaneRevision(event.kv.modRevision)
            if updates.last?.revision != revision { updates.append(ControlPlaneUpdate(revision: revision)) }
            switch layout.entry(event.kv.key) {
            case .record(let record):
                updates[updates.count - 1].records[record] = event.kind == .put ? .some(event.kv.value) : .some(nil)
            case .highWaterMark(let slot):
                if event.kind == .put {
                    updates[updates.count - 1].highWaterMarks[slot] = try EtcdControlPlaneLayout.decodeMark(event.kv.value, key: event.kv.key)
                }
            case .candidate, nil:
                continue
            }
        }
        return updates.filter { !$0.records.isEmpty || !$0.highWaterMarks.isEmpty }
    }
}

/// Where a watch resumes after a failed stream, and whether the last stream got anywhere.
private final class WatchCursor: Sendable {
    private let state: Mutex<(next: Int64, progressed: Bool)>

    init(next: Int64) { state = Mutex((next, false)) }

    var next: Int64 { state.withLock { $0.next } }

    func advance(past revision: Int64) {
        state.withLock {
            $0.next = max($0.next, revision + 1)
            $0.progressed = true
        }
    }

    /// Whether anything arrived since the last call.
    func takeProgress() -> Bool {
        state.withLock { state in
            defer { state.progressed = false }
            return state.progressed
        }
    }
}
