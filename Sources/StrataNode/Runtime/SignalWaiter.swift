import Dispatch
import Foundation
import Synchronization

/// Catches SIGTERM and SIGINT, the signals that ask a node to stop gracefully.
///
/// Install it before the node announces that it is serving: a signal that arrives between
/// the announcement and the installation would otherwise kill the process with the default
/// action instead of stopping it cleanly.
public final class SignalWaiter: @unchecked Sendable {  // sources are immutable after init
    private let state = Mutex<(received: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))
    private let sources: [any DispatchSourceSignal]

    /// Starts catching `signals` now.
    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)  // let the dispatch source see it instead of the default action
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
        }
        self.sources = sources
        for (number, source) in zip(signals, sources) {
            // @Sendable: an unannotated closure here would be main-actor code and trap (see
            // shared/design/grpc-core-notes.md).
            source.setEventHandler { @Sendable [weak self] in self?.received(number) }
            source.resume()
        }
    }

    /// Suspends until one of the signals has arrived (returns at once if one already has).
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Int32? in
                if let received = state.received { return received }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func received(_ number: Int32) {
        let waiter = state.withLock { state -> CheckedContinuation<Int32, Never>? in
            guard state.received == nil else { return nil }
            state.received = number
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: number)
    }
}
