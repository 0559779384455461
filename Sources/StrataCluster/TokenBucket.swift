import StrataCore

/// Paces a byte stream to a rate: a token bucket, pure (time comes in as a value, so tests
/// inject it and never sleep).
///
/// The bucket holds up to `burst` bytes and refills at `bytesPerSecond`. `take` always
/// succeeds and may leave the bucket in debt; the caller then waits the returned duration
/// before going on, which repays the debt. So over any interval of length t the stream moves
/// at most `burst + bytesPerSecond × t` bytes, whatever the sizes of its pieces (a record
/// larger than the burst just waits longer).
public struct TokenBucket: Sendable, Equatable {
    /// 0: unlimited (`take` never asks to wait).
    public let bytesPerSecond: UInt64
    public let burst: UInt64
    /// Bytes that may go now; negative while in debt.
    private var available: Double
    private var last: Duration?

    /// `burst` defaults to a tenth of a second at the rate, at least 64 KiB.
    public init(bytesPerSecond: UInt64, burst: UInt64? = nil) {
        self.bytesPerSecond = bytesPerSecond
        self.burst = burst ?? max(bytesPerSecond / 10, 64 << 10)
        available = Double(self.burst)
    }

    /// Takes `bytes` at `now` (time since any fixed epoch, the same for every call) and
    /// returns how long to wait before sending more (zero while within the rate).
    public mutating func take(_ bytes: Int, now: Duration) -> Duration {
        guard bytesPerSecond > 0 else { return .zero }
        let rate = Double(bytesPerSecond)
        if let last, now > last {
            available = min(Double(burst), available + (now - last).seconds * rate)
        }
        last = max(last ?? now, now)
        available -= Double(max(0, bytes))
        guard available < 0 else { return .zero }
        return .nanoseconds(Int64((-available / rate * 1e9).rounded(.up)))
    }
}
