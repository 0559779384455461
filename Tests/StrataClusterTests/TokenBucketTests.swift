import StrataCluster
import StrataCore
import Testing

@Suite("Copy rate limit (token bucket)")
struct TokenBucketTests {
    @Test("a stream never runs ahead of burst + rate × time, whatever its record sizes")
    func paces() {
        var bucket = TokenBucket(bytesPerSecond: 1_000_000, burst: 100_000)
        var now = Duration.zero
        var sent = 0
        var sizes = SeededGenerator(seed: 7)
        // Send 5 MB in records of 1 byte to 300 KB (some larger than the burst), waiting as told.
        while sent < 5_000_000 {
            let size = Int.random(in: 1...300_000, using: &sizes)
            let wait = bucket.take(size, now: now)
            sent += size
            now += wait
            // After the wait, what went out is within what the rate allows.
            #expect(Double(sent) <= 100_000 + 1_000_000 * now.seconds + 1)
        }
        // And the limit is not needlessly slow: within a burst of the ideal time.
        #expect(now.seconds <= Double(sent) / 1_000_000 + 0.01)
        #expect(now.seconds >= Double(sent - 100_000) / 1_000_000 - 0.01)
    }

    @Test("within the rate there is no wait; idle time refills only up to the burst")
    func burstAndIdle() {
        var bucket = TokenBucket(bytesPerSecond: 1000, burst: 500)
        #expect(bucket.take(500, now: .zero) == .zero)
        #expect(abs(bucket.take(100, now: .zero).seconds - 0.1) < 1e-6)
        // A long idle spell refills the burst, not more.
        #expect(bucket.take(500, now: .seconds(60)) == .zero)
        #expect(bucket.take(1, now: .seconds(60)) > .zero)
        // A clock that goes backwards refills nothing.
        var other = TokenBucket(bytesPerSecond: 1000, burst: 100)
        #expect(other.take(100, now: .seconds(5)) == .zero)
        #expect(abs(other.take(100, now: .seconds(4)).seconds - 0.1) < 1e-6)
    }

    @Test("rate 0 means unlimited; the default burst is a tenth of a second, at least 64 KiB")
    func unlimitedAndDefaults() {
        var unlimited = TokenBucket(bytesPerSecond: 0)
        #expect(unlimited.take(1 << 30, now: .zero) == .zero)
        #expect(TokenBucket(bytesPerSecond: 64 << 20).burst == (64 << 20) / 10)
        #expect(TokenBucket(bytesPerSecond: 1000).burst == 64 << 10)
    }
}
