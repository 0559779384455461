import CStrataEmbed
import Foundation
import Synchronization

/// Threads of the CPU backend's background work, each with its own forward pass, at idle
/// scheduling priority unless told otherwise. Jobs are taken in order by whichever thread is free.
final class BackgroundThreads: Sendable {
    private struct Job: @unchecked Sendable {
        var sequences: [[Int32]]
        var done: CheckedContinuation<[[Float]], Never>
    }

    private struct Queue {
        var jobs: [Job] = []
        var stopped = false
    }

    let count: Int
    private let queue = Mutex(Queue())
    private let condition = NSCondition()

    init(count: Int, weights: BertWeights, idlePriority: Bool) {
        self.count = count
        for index in 0..<count {
            let thread = Thread { [self] in
                if idlePriority { _ = strata_embed_lower_thread_priority() }
                self.loop(BertForwardPass(weights: weights))
            }
            thread.name = "strata-embed-\(index)"
            thread.start()
        }
    }

    /// Embeds `sequences` on the next free thread.
    func run(_ sequences: [[Int32]]) async -> [[Float]] {
        await withCheckedContinuation { continuation in
            condition.lock()
            queue.withLock { $0.jobs.append(Job(sequences: sequences, done: continuation)) }
            condition.signal()
            condition.unlock()
        }
    }

    func stop() {
        condition.lock()
        queue.withLock { $0.stopped = true }
        condition.broadcast()
        condition.unlock()
    }

    private func loop(_ pass: BertForwardPass) {
        while true {
            condition.lock()
            var job: Job?
            while job == nil {
                let (next, stopped) = queue.withLock { queue -> (Job?, Bool) in
                    queue.jobs.isEmpty ? (nil, queue.stopped) : (queue.jobs.removeFirst(), false)
                }
                if stopped {
                    condition.unlock()
                    return
                }
                job = next
                if job == nil { condition.wait() }
            }
            condition.unlock()
            job!.done.resume(returning: pass.embed(job!.sequences))
        }
    }
}
