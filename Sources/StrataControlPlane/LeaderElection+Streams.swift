import StrataEtcd
import Synchronization

extension LeaderElection {
    /// Sends a keep-alive every interval and feeds the answers to the state, reopening the
    /// stream (next endpoint) whenever it fails, until cancelled.
    func keepAlive(lease: Int64) async {
        while !Task.isCancelled {
            guard let stream = try? client.leaseKeepAliveStream() else {
                if (try? await Task.sleep(for: .milliseconds(100))) == nil { return }
                continue
            }
            let sent = SentKeepAlives()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await answer in stream.responses {
                            guard let requestedAt = sent.takeOldest() else { continue }
                            self.apply { $0.keepAliveAnswered(requestedAt: requestedAt, ttl: .seconds(answer.ttl), now: self.now) }
                        }
                    } catch {}
                }
                group.addTask {
                    repeat {
                        sent.append(self.now)
                        do { try await stream.send(EtcdLeaseKeepAliveRequest(id: lease)) } catch { return }
                    } while (try? await Task.sleep(for: self.settings.keepAliveInterval)) != nil
                }
                _ = await group.next()
                group.cancelAll()
                stream.cancel()
            }
            guard !Task.isCancelled else { return }
            client.endpointFailed(stream.endpoint)
            if (try? await Task.sleep(for: .milliseconds(100))) == nil { return }
        }
    }

    /// Reads the election prefix, then watches it from the next revision; on any failure
    /// reads again (so a missed event cannot leave a stale view), until cancelled.
    func observeCandidates() async {
        while !Task.isCancelled {
            do throws(EtcdError) {
                let range = try await client.range(EtcdRangeRequest.prefix(layout.electionPrefix))
                apply { $0.observed(range.kvs.map(Self.candidate), now: self.now) }
                let stream = try client.watchStream()
                defer { stream.cancel() }
                try await stream.send(.create(.prefix(layout.electionPrefix, startRevision: range.header.revision + 1)))
                do {
                    for try await response in stream.responses {
                        if response.canceled || response.compactRevision > 0 { break }
                        for event in response.events {
                            switch event.kind {
                            case .put: apply { $0.observedPut(Self.candidate(event.kv), now: self.now) }
                            case .delete: apply { $0.observedDelete(key: event.kv.key, now: self.now) }
                            }
                        }
                    }
                } catch {
                    client.endpointFailed(stream.endpoint)
                }
            } catch {}
            if (try? await Task.sleep(for: .milliseconds(100))) == nil { return }
        }
    }

    static func candidate(_ kv: EtcdKeyValue) -> ElectionCandidate {
        ElectionCandidate(key: kv.key, address: String(decoding: kv.value, as: UTF8.self), createRevision: kv.createRevision, lease: kv.lease)
    }
}

/// When each keep-alive in flight on one stream was sent: etcd answers them in order.
private final class SentKeepAlives: Sendable {
    private let times = Mutex<[Duration]>([])

    func append(_ time: Duration) { times.withLock { $0.append(time) } }

    func takeOldest() -> Duration? { times.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
}
