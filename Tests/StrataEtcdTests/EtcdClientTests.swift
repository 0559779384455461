import Foundation
import StrataEtcd
import StrataRPC
import StrataTestSupport
import Testing

/// The client against a real etcd started for each test.
@Suite(.enabled(if: EtcdAvailability.installed, EtcdAvailability.reason))
struct EtcdClientTests {
    private func client(_ etcd: LocalEtcd, endpoints: [String]? = nil) throws -> EtcdClient {
        try etcdClient(endpoints ?? etcd.endpoints)
    }

    @Test func putRangeAndDelete() async throws {
        try await withEtcd { etcd in
            let client = try client(etcd)
            let first = try await client.put(EtcdPutRequest(key: text("/t/a"), value: text("1")))
            _ = try await client.put(EtcdPutRequest(key: text("/t/b"), value: text("2")))
            let overwritten = try await client.put(EtcdPutRequest(key: text("/t/a"), value: text("3"), prevKV: true))
            #expect(overwritten.prevKV?.value == text("1"))
            #expect(overwritten.header.revision > first.header.revision)

            let one = try await client.range(EtcdRangeRequest(key: text("/t/a")))
            #expect(one.kvs.count == 1)
            #expect(one.kvs[0].value == text("3"))
            #expect(one.kvs[0].version == 2)
            #expect(one.kvs[0].createRevision == first.header.revision)
            #expect(one.kvs[0].modRevision == overwritten.header.revision)

            let all = try await client.range(.prefix(text("/t/"), sortOrder: .descend, sortTarget: .key))
            #expect(all.kvs.map(\.key) == [text("/t/b"), text("/t/a")])
            #expect(all.count == 2)

            let deleted = try await client.deleteRange(EtcdDeleteRangeRequest(key: text("/t/"), rangeEnd: EtcdKeyRange.prefixEnd(text("/t/")), prevKV: true))
            #expect(deleted.deleted == 2)
            #expect(Set(deleted.prevKVs.map(\.value)) == [text("2"), text("3")])
            #expect(try await client.range(.prefix(text("/t/"))).kvs.isEmpty)
        }
    }

    @Test func txnRunsOneBranchAtomically() async throws {
        try await withEtcd { etcd in
            let client = try client(etcd)
            let createOnly = EtcdTxnRequest(
                compare: [.absent(text("/lock"))],
                success: [.put(EtcdPutRequest(key: text("/lock"), value: text("me"))), .put(EtcdPutRequest(key: text("/other"), value: text("x")))],
                failure: [.range(EtcdRangeRequest(key: text("/lock")))])
            let won = try await client.txn(createOnly)
            #expect(won.succeeded)
            #expect(won.responses.count == 2)
            // Both writes of the branch share one revision.
            let both = try await client.range(.prefix(text("/")))
            #expect(Set(both.kvs.map(\.modRevision)) == [won.header.revision])

            let lost = try await client.txn(createOnly)
            #expect(!lost.succeeded)
            guard case .range(let existing)? = lost.responses.first else {
                Issue.record("the failure branch's range answer is missing")
                return
            }
            #expect(existing.kvs.first?.value == text("me"))
            #expect(existing.kvs.first?.createRevision == won.header.revision)

            // A compare on the mod revision: the stale one fails, the current one passes.
            let stale = EtcdTxnRequest(compare: [EtcdCompare(key: text("/lock"), .equal, .modRevision(won.header.revision - 1))],
                                       success: [.deleteRange(EtcdDeleteRangeRequest(key: text("/lock")))])
            #expect(try await !client.txn(stale).succeeded)
            var current = stale
            current.compare = [EtcdCompare(key: text("/lock"), .equal, .modRevision(won.header.revision))]
            #expect(try await client.txn(current).succeeded)
            #expect(try await client.range(EtcdRangeRequest(key: text("/lock"))).kvs.isEmpty)
        }
    }

    @Test func aRevokedLeaseTakesItsKeys() async throws {
        try await withEtcd { etcd in
            let client = try client(etcd)
            let lease = try await client.leaseGrant(ttl: 30)
            #expect(lease.id != 0)
            #expect(lease.ttl == 30)
            _ = try await client.put(EtcdPutRequest(key: text("/leased"), value: text("v"), lease: lease.id))
            let alive = try await client.leaseTimeToLive(id: lease.id, keys: true)
            #expect(alive.ttl > 0 && alive.ttl <= 30)
            #expect(alive.grantedTTL == 30)
            #expect(alive.keys == [text("/leased")])
            #expect(try await client.range(EtcdRangeRequest(key: text("/leased"))).kvs.first?.lease == lease.id)

            _ = try await client.leaseRevoke(id: lease.id)
            #expect(try await client.range(EtcdRangeRequest(key: text("/leased"))).kvs.isEmpty)
            #expect(try await client.leaseTimeToLive(id: lease.id).ttl == -1)
            let again = await #expect(throws: EtcdError.self) { try await client.leaseRevoke(id: lease.id) }
            #expect(again?.kind == .refused)
            #expect(again?.status?.code == .notFound)
        }
    }

    @Test func keepAlivesOnTheStreamOutliveTheTTL() async throws {
        try await withEtcd { etcd in
            let client = try client(etcd)
            let lease = try await client.leaseGrant(ttl: 3)
            _ = try await client.put(EtcdPutRequest(key: text("/kept"), value: text("v"), lease: lease.id))
            let stream = try client.leaseKeepAliveStream()
            var answers = stream.responses.makeAsyncIterator()
            // Eight renewals half a second apart: 4 s, past the 3 s TTL.
            for _ in 0..<8 {
                try await stream.send(EtcdLeaseKeepAliveRequest(id: lease.id))
                let answer = try #require(try await answers.next())
                #expect(answer.id == lease.id)
                #expect(answer.ttl == 3)
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(try await client.range(EtcdRangeRequest(key: text("/kept"))).kvs.count == 1)
            stream.cancel()
            // A lease that is gone answers TTL 0 on the stream.
            _ = try await client.leaseRevoke(id: lease.id)
            let after = try client.leaseKeepAliveStream()
            try await after.send(EtcdLeaseKeepAliveRequest(id: lease.id))
            var afterAnswers = after.responses.makeAsyncIterator()
            #expect(try await afterAnswers.next()?.ttl ?? 0 <= 0)
            after.cancel()
        }
    }

    @Test func watchDeliversEveryChangeInRevisionOrder() async throws {
        try await withEtcd { etcd in
            let client = try client(etcd)
            let before = try await client.put(EtcdPutRequest(key: text("/w/old"), value: text("0")))
            let stream = try client.watchStream()
            defer { stream.cancel() }
            // From the revision after `before`: the old put is not replayed, what follows is.
            try await stream.send(.create(.prefix(text("/w/"), startRevision: before.header.revision + 1)))
            _ = try await client.put(EtcdPutRequest(key: text("/w/a"), value: text("1")))
            _ = try await client.put(EtcdPutRequest(key: text("/elsewhere"), value: text("x")))
            _ = try await client.put(EtcdPutRequest(key: text("/w/b"), value: text("2")))
            _ = try await client.deleteRange(EtcdDeleteRangeRequest(key: text("/w/a")))
            var seen: [(EtcdEvent.Kind, String, Int64)] = []
            var created = false
            for try await response in stream.responses {
                if response.created { created = true }
                for event in response.events {
                    seen.append((event.kind, String(decoding: event.kv.key, as: UTF8.self), event.kv.modRevision))
                }
                if seen.count >= 3 { break }
            }
            #expect(created)
            #expect(seen.map { "\($0.0) \($0.1)" } == ["put /w/a", "put /w/b", "delete /w/a"])
            #expect(seen.map(\.2) == seen.map(\.2).sorted())
        }
    }

    @Test func callsFailOverToTheNextEndpoint() async throws {
        try await withEtcd { etcd in
            // Nobody listens on the first endpoint: connecting fails, so even a write may
            // go on to the next one (it cannot have been sent).
            let dead = "127.0.0.1:\(try closedPort())"
            let client = try client(etcd, endpoints: [dead] + etcd.endpoints)
            _ = try await client.put(EtcdPutRequest(key: text("/f"), value: text("1")))
            #expect(client.currentEndpoint == etcd.endpoints[0])
            #expect(try await client.range(EtcdRangeRequest(key: text("/f"))).kvs.count == 1)
        }
    }

    @Test func noEndpointIsUnavailableNamingEtcd() async throws {
        let client = EtcdClient(try EtcdClientSettings(endpoints: ["127.0.0.1:\(try closedPort())"], requestTimeout: .seconds(2)))
        let error = await #expect(throws: EtcdError.self) { try await client.range(EtcdRangeRequest(key: text("/x"))) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.hasPrefix("etcd is unavailable") == true)
    }

    @Test func threeMembersKeepServingWithOneKilled() async throws {
        try await withEtcd(members: 3) { etcd in
            let client = try client(etcd)
            _ = try await client.put(EtcdPutRequest(key: text("/q"), value: text("before")))
            // The member the client talks to goes away: reads and writes go on elsewhere.
            etcd.kill(member: 0)
            #expect(try await client.range(EtcdRangeRequest(key: text("/q"))).kvs.first?.value == text("before"))
            let txn = try await client.txn(EtcdTxnRequest(
                compare: [EtcdCompare(key: text("/q"), .equal, .value(text("before")))],
                success: [.put(EtcdPutRequest(key: text("/q"), value: text("after")))]))
            #expect(txn.succeeded)
            #expect(client.currentEndpoint != etcd.endpoints[0])
            // The survivors hold it; a restarted member catches up.
            try etcd.restart(member: 0)
            try await etcd.waitUntilServing()
            let restarted = EtcdClient(try EtcdClientSettings(endpoints: [etcd.endpoints[0]]))
            #expect(try await restarted.range(EtcdRangeRequest(key: text("/q"))).kvs.first?.value == text("after"))
        }
    }
}

/// A loopback port nobody listens on (bound and released at once).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
