import CStrataRPC
import Foundation
import Synchronization

/// A gRPC server over gRPC core with N completion-queue threads.
///
/// Each thread polls its own completion queue and keeps one request for a new call
/// outstanding on it; handlers run as Swift tasks, so a slow handler never blocks a queue.
/// `shutdown()` drains in-flight calls for the grace period, then cancels what is left.
public final class RPCServer: @unchecked Sendable {
    /// Lifecycle; transitions only move forward.
    private enum State {
        case idle, running, stopping, stopped
    }

    public let settings: ServerSettings
    private let services: [String: MethodHandler]
    private let server: OpaquePointer
    private var queues: [CompletionQueue] = []
    private let state = Mutex<State>(.idle)
    /// The bound port (useful when the settings asked for port 0).
    public private(set) var port: Int = 0
    private let callCounter = Atomic<UInt64>(0)
    /// Handlers still running. gRPC's shutdown notification does not wait for them, and a
    /// handler that starts an operation after its queue is shut down would abort the process,
    /// so shutdown waits for this to reach zero before shutting the queues down.
    private let handlersInFlight = Atomic<Int>(0)
    /// Told about every finished call (metrics); nil when nobody listens.
    private let observer: RPCCallObserver?
    /// The served certificates of a TLS server (nil: plaintext).
    private let certificates: ServerCertificates?
    /// Compares the certificate files with what is served, every `reloadCheckInterval`.
    private let reloadTask = Mutex<Task<Void, Never>?>(nil)

    /// Calls accepted since start (all methods, all outcomes).
    public var callsAccepted: UInt64 { callCounter.load(ordering: .relaxed) }

    public init(settings: ServerSettings, services: [ServiceDefinition], observer: RPCCallObserver? = nil) throws(RPCError) {
        self.settings = settings
        self.observer = observer
        if case .tls(let tls) = settings.security {
            certificates = try ServerCertificates(settings: tls)
        } else {
            certificates = nil
        }
        var methods: [String: MethodHandler] = [:]
        for service in services {
            methods.merge(service.methods) { first, _ in first }
        }
        self.services = methods
        server = strata_server_create(settings.limits.cLimits)
        for index in 0..<max(1, settings.completionQueueThreads) {
            let queue = CompletionQueue(name: "rpc-cq-\(index)")
            strata_server_register_cq(server, queue.raw)
            queues.append(queue)
        }
        let bound = if let certificates {
            certificates.material.withCTLS(clientCertificates: certificates.settings.clientCertificates) {
                strata_server_add_port(server, settings.address, $0)
            }
        } else {
            strata_server_add_port(server, settings.address, nil)
        }
        guard bound > 0 else {
            strata_server_destroy(server)
            throw RPCError(.unavailable, "cannot listen on \(settings.address) (address in use or invalid)")
        }
        port = Int(bound)
    }

    /// Starts accepting calls.
    public func start() throws(RPCError) {
        try state.withLock { (state: inout State) throws(RPCError) in
            guard state == .idle else { throw RPCError(.failedPrecondition, "server already started") }
            state = .running
        }
        strata_server_start(server)
        for queue in queues {
            queue.start { [self] in self.requestCall(on: queue) }
        }
        if let interval = certificates?.settings.reloadCheckInterval {
            reloadTask.withLock { task in
                task = Task.detached { [weak self] in
                    while (try? await Task.sleep(for: interval)) != nil {
                        // Refusals reach `onReload`; the old certificates stay in use.
                        _ = try? self?.reloadCertificates()
                    }
                }
            }
        }
    }

    /// Reads the certificate files again and, when they changed and hold a valid key pair,
    /// serves them to connections accepted from now on; established connections keep theirs,
    /// so nothing is dropped. Returns whether new certificates were installed. Throws (and
    /// keeps serving the current ones) when a file cannot be read or the files do not form
    /// a valid pair. For SIGHUP; the server also checks by itself every `reloadCheckInterval`.
    @discardableResult
    public func reloadCertificates() throws(RPCError) -> Bool {
        guard let certificates else { throw RPCError(.failedPrecondition, "this server does not serve TLS") }
        return try certificates.reload { material in
            // Under the lifecycle lock: the C server is destroyed only after the state left
            // running, so it is alive for the whole update.
            state.withLock { state in
                guard state == .idle || state == .running else { return false }
                return material.withCTLS(clientCertificates: certificates.settings.clientCertificates) {
                    strata_server_update_tls(server, $0)
                } == 0
            }
        }
    }

    /// Stops accepting calls, waits up to the grace period for in-flight calls, cancels the
    /// rest, and releases everything. Safe to call more than once.
    ///
    /// The waiting happens on a thread of its own: blocking a thread of Swift's cooperative
    /// pool would starve the very handlers being drained.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                self.shutdownBlocking()
                continuation.resume()
            }
            thread.name = "rpc-shutdown"
            thread.start()
        }
    }

    /// `shutdown()` for callers outside Swift concurrency; blocks the calling thread.
    public func shutdownBlocking() {
        let proceed = state.withLock { state -> Bool in
            guard state == .running || state == .idle else { return false }
            let wasRunning = state == .running
            state = .stopping
            return wasRunning
        }
        reloadTask.withLock { task in
            task?.cancel()
            task = nil
        }
        guard proceed else { return }

        let notify = strata_cq_create_pluck()!
        let tag: UInt = 1
        strata_server_shutdown(server, notify, tag)
        let graceMicros = settings.shutdownGrace.components.seconds * 1_000_000
            + settings.shutdownGrace.components.attoseconds / 1_000_000_000_000
        if strata_cq_pluck(notify, tag, graceMicros).type != STRATA_EVENT_COMPLETE {
            strata_server_cancel_all_calls(server)
            _ = strata_cq_pluck(notify, tag, -1)
        }
        strata_cq_destroy(notify)
        // Every call is cancelled by now, so handlers fail their next operation and return.
        // One that ignores cancellation forever is left behind (and its queues with it) rather
        // than crashing the process.
        let giveUp = ContinuousClock.now + settings.shutdownGrace + .seconds(5)
        while handlersInFlight.load(ordering: .acquiring) > 0, ContinuousClock.now < giveUp {
            Thread.sleep(forTimeInterval: 0.005)
        }
        guard handlersInFlight.load(ordering: .acquiring) == 0 else {
            state.withLock { $0 = .stopped }
            return
        }
        for queue in queues { queue.shutdownAndJoin() }
        strata_server_destroy(server)
        queues.removeAll()
        state.withLock { $0 = .stopped }
    }

    deinit {
        // Handlers retain the server, so none is in flight here: this cannot wait for long.
        shutdownBlocking()
    }

    /// Keeps one request for a new call outstanding on `queue`. Runs on the queue's thread.
    private func requestCall(on queue: CompletionQueue) {
        let slot = PendingCall()
        let tag = queue.register { [self] accepted in
            self.accept(slot, accepted: accepted, on: queue)
        }
        guard let raw = strata_server_request_call(server, queue.raw, tag) else {
            queue.unregister(tag)
            return
        }
        slot.raw = raw
    }

    private func accept(_ slot: PendingCall, accepted: Bool, on queue: CompletionQueue) {
        guard let raw = slot.raw else { return }
        let call = CallHandle(raw: raw, queue: queue)
        guard accepted else { return }  // the server is shutting down; `call` frees the C call
        requestCall(on: queue)
        callCounter.add(1, ordering: .relaxed)
        let accepted = ContinuousClock.now
        let method = String(cString: strata_call_method(raw))
        let context = ServerContext(call: call, method: method)
        watchForClose(call, context)
        let handler = services[method]
        handlersInFlight.add(1, ordering: .relaxed)
        switch handler {
        case .unary, .serverStreaming:
            // Receive the single request right here on the queue thread and start the handler
            // only once it has arrived: one hop to the task pool per call instead of two.
            let tag = queue.register { [self] ok in
                let request = ok ? call.takeReceived() : nil
                self.spawnHandler(call, context, handler, request: request, accepted: accepted)
            }
            if strata_call_recv_message(raw, tag) != 0 {
                queue.unregister(tag)
                spawnHandler(call, context, handler, request: nil, accepted: accepted)
            }
        case .clientStreaming, .bidirectionalStreaming, nil:
            spawnHandler(call, context, handler, request: nil, accepted: accepted)
        }
    }

    private func spawnHandler(_ call: CallHandle, _ context: ServerContext, _ handler: MethodHandler?, request: [UInt8]?,
                              accepted: ContinuousClock.Instant) {
        let observer = self.observer
        let task = Task {
            await Self.serve(call, context, handler, request: request, finishing: { code in
                observer?(handler == nil ? RPCCallLabels.unknownMethod : context.method, code, ContinuousClock.now - accepted)
            }, finished: {
                // Only once the status is started: queued responses may still be going out
                // after the handler returned, and shutdown must not stop the queue under them.
                self.handlersInFlight.subtract(1, ordering: .releasing)
            })
        }
        // A cancelled call (client gone, deadline passed, shutdown) cancels its handler's task,
        // so awaiting handlers stop at once instead of working for nobody.
        context.onCancellation { task.cancel() }
    }

    /// Marks the context cancelled when the client goes away or the deadline passes.
    private func watchForClose(_ call: CallHandle, _ context: ServerContext) {
        let tag = call.queue.register { _ in
            if strata_call_was_cancelled(call.raw) != 0 { context.markCancelled() }
        }
        if strata_call_recv_close_on_server(call.raw, tag) != 0 {
            call.queue.unregister(tag)
        }
    }

    /// Runs the handler; `request` is the already received request of unary and
    /// server-streaming methods (nil when it never arrived). `finishing` is told the status
    /// code just before it is sent, so a client that has its answer also finds the call in
    /// the node's metrics; `finished` is called once the status has been started.
    private static func serve(_ call: CallHandle, _ context: ServerContext, _ handler: MethodHandler?, request: [UInt8]?,
                              finishing: (StatusCode) -> Void, finished: @escaping @Sendable () -> Void) async {
        let outcome: Result<[UInt8]?, RPCError>
        do {
            switch handler {
            case nil:
                throw RPCError(.unimplemented, "method \(context.method) is not implemented by this server")
            case .unary(let body):
                outcome = .success(try await body(try arrived(request), context))
            case .serverStreaming(let body):
                try await body(try arrived(request), call, context)
                outcome = .success(nil)
            case .clientStreaming(let body):
                outcome = .success(try await body(call, context))
            case .bidirectionalStreaming(let body):
                try await body(call, context)
                outcome = .success(nil)
            }
        } catch {
            outcome = .failure(RPCError(mapping: error))
        }
        switch outcome {
        case .success: finishing(.ok)
        case .failure(let error): finishing(error.code)
        }
        finish(call, outcome, then: finished)
    }

    private static func arrived(_ request: [UInt8]?) throws(RPCError) -> [UInt8] {
        guard let request else { throw RPCError(.cancelled, "the request message never arrived") }
        return request
    }

    /// Sends the final status (with the response, if any), after every response message the
    /// handler queued has been sent. Nobody waits for its completion: the registered handler
    /// only keeps the call alive until gRPC is done with it.
    private static func finish(_ call: CallHandle, _ outcome: Result<[UInt8]?, RPCError>, then finished: @escaping @Sendable () -> Void) {
        call.afterResponses {
            sendStatus(call, outcome)
            finished()
        }
    }

    private static func sendStatus(_ call: CallHandle, _ outcome: Result<[UInt8]?, RPCError>) {
        let (message, code, details): ([UInt8]?, StatusCode, String)
        switch outcome {
        case .success(let bytes): (message, code, details) = (bytes, .ok, "")
        case .failure(let error):
            (message, code, details) = (nil, error.code, error.message)
            // Trailers go with the status; `answeredKey` tells clients the server itself answered.
            for (key, value) in error.metadata.merging([RPCError.answeredKey: "1"], uniquingKeysWith: { first, _ in first }).sorted(by: { $0.key < $1.key }) {
                _ = strata_call_add_trailing_metadata(call.raw, key, value, value.utf8.count)
            }
        }
        let tag = call.queue.register { _ in _ = call }
        let started: Int32
        if let message {
            started = message.withUnsafeBytes {
                strata_call_send_status_from_server(call.raw, 1, $0.baseAddress, $0.count, code.rawValue, details, tag)
            }
        } else {
            started = strata_call_send_status_from_server(call.raw, 0, nil, 0, code.rawValue, details, tag)
        }
        if started != 0 { call.queue.unregister(tag) }
    }
}

/// The C call a request for a new call will fill in, set right after the request is issued.
private final class PendingCall: @unchecked Sendable {
    var raw: OpaquePointer?
}
