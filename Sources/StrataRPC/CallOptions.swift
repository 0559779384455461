/// Per-call options of a client call.
public struct CallOptions: Sendable {
    /// The call fails with DEADLINE_EXCEEDED when it has not finished within this time.
    /// `nil` means no deadline.
    public var timeout: Duration?
    /// Request metadata (lowercase ASCII keys; values ending in "-bin" keys may be binary).
    public var metadata: [(key: String, value: String)]

    public init(timeout: Duration? = nil, metadata: [(key: String, value: String)] = []) {
        self.timeout = timeout
        self.metadata = metadata
    }

    public static let `default` = CallOptions()

    var timeoutMicroseconds: Int64 {
        guard let timeout else { return -1 }
        let (seconds, attoseconds) = timeout.components
        return max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }
}

/// Limits on message sizes, shared by servers and channels.
public struct MessageLimits: Sendable, Equatable {
    /// Largest message accepted; bigger ones fail with RESOURCE_EXHAUSTED.
    public var maxReceiveBytes: Int
    /// Largest message sent.
    public var maxSendBytes: Int

    public init(maxReceiveBytes: Int = 4 << 20, maxSendBytes: Int = 4 << 20) {
        self.maxReceiveBytes = maxReceiveBytes
        self.maxSendBytes = maxSendBytes
    }

    public static let `default` = MessageLimits()
}
