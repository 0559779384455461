import Dispatch
import Foundation

/// Waits for SIGTERM or SIGINT, the signals that ask a node to stop gracefully.
public enum SignalWaiter {
    /// Suspends until one of `signals` arrives; returns its number.
    public static func wait(for signals: [Int32] = [SIGTERM, SIGINT]) async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let once = Once()
            for number in signals {
                signal(number, SIG_IGN)  // let the dispatch source see it instead of the default action
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                // @Sendable: an unannotated closure here would be main-actor code and trap (see
                // shared/design/grpc-core-notes.md).
                source.setEventHandler { @Sendable in
                    if once.claim() { continuation.resume(returning: number) }
                }
                source.resume()
                Retained.keep(source)
            }
        }
    }

    private final class Once: Sendable {
        private let claimed = Mutex(false)
        func claim() -> Bool { claimed.withLock { was in defer { was = true }; return !was } }
    }

    /// Keeps the sources alive for the life of the process.
    private final class Retained: @unchecked Sendable {
        nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
        private static let lock = NSLock()

        static func keep(_ source: any DispatchSourceSignal) {
            lock.lock()
            sources.append(source)
            lock.unlock()
        }
    }
}

import Synchronization
