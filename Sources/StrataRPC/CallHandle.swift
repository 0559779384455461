import CStrataRPC
import Synchronization

/// The one Swift owner of a C call (`strata_call`). Every operation is an async function that
/// completes when gRPC reports the operation done on the call's completion queue.
///
/// Lifetime: operation handlers capture the handle, so it lives until its last outstanding
/// operation has completed; `deinit` then frees the C call.
final class CallHandle: @unchecked Sendable {
    let raw: OpaquePointer
    let queue: CompletionQueue
    /// What must outlive the call: a client call keeps its channel (which owns the queue and
    /// shuts it down when it goes) alive.
    private let owner: AnyObject?
    /// Server calls: response messages waiting behind the send in flight (`sendResponse`).
    let responses = Mutex(ResponseQueue<CheckedContinuation<Void, Never>>())

    init(raw: OpaquePointer, queue: CompletionQueue, owner: AnyObject? = nil) {
        self.raw = raw
        self.queue = queue
        self.owner = owner
    }

    deinit {
        strata_call_destroy(raw)
    }

    /// Starts one batch through `start` and waits for its completion; returns its success flag.
    func perform(_ what: String, _ start: (OpaquePointer, UInt) -> Int32) async throws(RPCError) -> Bool {
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                let tag = queue.register { [self] success in
                    _ = self  // keeps the call alive until the operation completes
                    continuation.resume(returning: success)
                }
                let result = start(raw, tag)
                if result != 0 {
                    queue.unregister(tag)
                    continuation.resume(throwing: RPCError(.internal, "could not start \(what) (grpc_call_error \(result))"))
                }
            }
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "\(error)")
        }
    }

    /// Receives the next message; `nil` at the end of the stream or when the call failed.
    func receiveMessage() async throws(RPCError) -> [UInt8]? {
        let ok = try await perform("receive message") { strata_call_recv_message($0, $1) }
        guard ok else { return nil }
        return takeReceived()
    }

    /// Sends one message; false when the call is gone (cancelled, peer left).
    func sendMessage(_ bytes: [UInt8]) async throws(RPCError) -> Bool {
        try await perform("send message") { call, tag in
            bytes.withUnsafeBytes { strata_call_send_message(call, $0.baseAddress, $0.count, tag) }
        }
    }

    /// The message received by the last completed receive, copied out of gRPC's buffer.
    func takeReceived() -> [UInt8]? { Self.takeReceived(raw) }

    static func takeReceived(_ raw: OpaquePointer) -> [UInt8]? {
        let length = strata_call_received_length(raw)
        guard length >= 0 else { return nil }
        return [UInt8](unsafeUninitializedCapacity: Int(length)) { buffer, count in
            strata_call_take_received(raw, buffer.baseAddress)
            count = Int(length)
        }
    }

    /// The client-side status after RECV_STATUS_ON_CLIENT completed.
    func clientStatus() -> RPCError? { Self.clientStatus(raw) }

    static func clientStatus(_ raw: OpaquePointer) -> RPCError? {
        let code = StatusCode(rawValue: strata_call_status_code(raw)) ?? .unknown
        guard code != .ok else { return nil }
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = strata_call_status_details(raw, &buffer, buffer.count)
        if length >= buffer.count {
            buffer = [CChar](repeating: 0, count: length + 1)
            _ = strata_call_status_details(raw, &buffer, buffer.count)
        }
        return RPCError(code, String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self),
                        metadata: trailingMetadata(raw))
    }

    /// The trailing metadata received with the status (client), the last value of each key.
    static func trailingMetadata(_ raw: OpaquePointer) -> [String: String] {
        var result: [String: String] = [:]
        for index in 0..<strata_call_trailing_metadata_count(raw) {
            var keyLength = 0
            var valueLength = 0
            let key = strata_call_trailing_metadata_key(raw, index, &keyLength)!
            let value = strata_call_trailing_metadata_value(raw, index, &valueLength)!
            result[String(decoding: UnsafeRawBufferPointer(start: key, count: keyLength), as: UTF8.self)] =
                String(decoding: UnsafeRawBufferPointer(start: value, count: valueLength), as: UTF8.self)
        }
        return result
    }

    /// Metadata received with the call (server: request metadata).
    func receivedMetadata() -> [(key: String, value: String)] {
        let count = strata_call_metadata_count(raw)
        var result: [(key: String, value: String)] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            var keyLength = 0
            var valueLength = 0
            let key = strata_call_metadata_key(raw, index, &keyLength)!
            let value = strata_call_metadata_value(raw, index, &valueLength)!
            result.append((
                key: String(decoding: UnsafeRawBufferPointer(start: key, count: keyLength), as: UTF8.self),
                value: String(decoding: UnsafeRawBufferPointer(start: value, count: valueLength), as: UTF8.self)
            ))
        }
        return result
    }

    func cancel() {
        strata_call_cancel(raw)
    }
}
