import StrataRPC

/// Test double: one node's view of the simulated network towards one address. Every call goes
/// through `InProcessNetwork.route` first, so faults apply per call, at the time of the call.
struct NetworkLink: RPCTransport {
    let network: InProcessNetwork
    let from: String
    let target: String

    func unary(_ method: String, _ request: [UInt8], options: CallOptions) async throws(RPCError) -> [UInt8] {
        let route = try network.route(from: from, to: target, method: method, request: request)
        try await delay(route, options)
        let reply = try await route.channel.unary(method, request, options: options)
        if route.dropReply { throw lostReply(method) }
        return reply
    }

    func serverStreaming(_ method: String, _ request: [UInt8], options: CallOptions) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do throws(RPCError) {
                    let route = try network.route(from: from, to: target, method: method, request: request)
                    try await delay(route, options)
                    var delivered = 0
                    do {
                        for try await message in route.channel.serverStreaming(method, request, options: options) {
                            if let cut = route.cutAfter, delivered >= cut {
                                network.countCutStream()
                                throw RPCError(.unavailable, "the stream from \(target) broke (simulated)")
                            }
                            // A node that went down or was cut off mid-stream stops delivering.
                            guard network.isServing(target), !network.isPartitioned(from, target) else {
                                throw RPCError(.unavailable, "the stream from \(target) broke (node down or partitioned)")
                            }
                            continuation.yield(message)
                            delivered += 1
                        }
                    } catch {
                        throw RPCError(mapping: error)
                    }
                    if route.dropReply { throw lostReply(method) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func openClientStream(_ method: String, options: CallOptions) throws(RPCError) -> any RPCClientStream {
        let route = try network.route(from: from, to: target, method: method, request: [])
        return LinkClientStream(inner: try route.channel.openClientStream(method, options: options),
                                dropReply: route.dropReply, lost: lostReply(method))
    }

    private func lostReply(_ method: String) -> RPCError {
        RPCError(.unavailable, "the reply of \(method) from \(target) was lost (simulated; the call may have taken effect)")
    }

    /// Holds the call back; when the caller's deadline is shorter, the call never arrives. A
    /// stalled node holds it until the deadline (or until the caller cancels the call).
    private func delay(_ route: InProcessNetwork.Route, _ options: CallOptions) async throws(RPCError) {
        if route.stalled {
            try? await Task.sleep(for: options.timeout ?? .seconds(3600))
            throw Task.isCancelled ? RPCError(.cancelled, "the call was cancelled") : RPCError(.deadlineExceeded, "Deadline Exceeded (\(target) stalled)")
        }
        guard let delay = route.delay else { return }
        if let timeout = options.timeout, timeout < delay {
            try? await Task.sleep(for: timeout)
            throw RPCError(.deadlineExceeded, "Deadline Exceeded (simulated delay to \(target))")
        }
        try? await Task.sleep(for: delay)
    }
}
