import ArgumentParser
import Foundation
import StrataCLIOptions
import StrataClient
import StrataCore
import StrataRPC
import StrataWire

/// One `strata query` as plain values (what `QueryCommand` parses, or `QueryFastPath` for the
/// common command lines): runs the query and prints the answer as text or JSON.
struct QueryInvocation: Equatable {
    var connection: CoordinatorSettings
    var namespace: String
    var budget: UInt32 = 0
    var topK: UInt32 = 0
    var mode: String = "auto"
    var prefix: String = ""
    var whereEquals: [String] = []
    var json = false
    var text: String

    /// The checks of the command line (ArgumentParser reports their errors as usage errors).
    func validate() throws {
        guard ["auto", "lexical", "vector", "hybrid"].contains(mode) else { throw ValidationError("--mode must be auto, lexical, vector or hybrid") }
        guard !Self.isBlank(text) else { throw ValidationError("the query text is empty") }
        _ = try KeyValueOption.parse(whereEquals, option: "--where")
    }

    /// Whether `text` holds only whitespace (`CharacterSet.whitespaces`: Unicode's space
    /// separators, the tab and, in swift-corelibs-foundation, the zero-width space), asked of the standard library's Unicode tables rather than of
    /// Foundation, whose character sets cost a visible share of a small query's CPU.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == "\t" || $0 == "\u{200B}" || $0.properties.generalCategory == .spaceSeparator }
    }

    func run() async throws {
        let request = try self.request()
        var items: [QueryResponse] = []
        try await call("query") {
            for try await bytes in try connection.channel().serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: connection.callOptions) {
                items.append(try QueryResponse(serializedBytes: bytes))
            }
        }
        printAnswer(items)
    }

    /// `run()` with the call made on the calling thread (`BlockingRPCChannel`), when there is
    /// one coordinator address: no Swift concurrency, no thread hand-over per message. Ends
    /// the process once the answer is printed; returns when the query must go through
    /// `run()` instead: several addresses, or a call that failed UNAVAILABLE before any answer
    /// (`run()` makes it again, and its `FailoverTransport` decides, as always, whether to
    /// follow a leader the coordinator named, and reports the failure).
    func runOnThisThreadAndExit() throws {
        let addresses = FailoverTransport.addresses(connection.address)
        guard addresses.count == 1 else { return }
        let request = try self.request()
        var items: [QueryResponse] = []
        let channel: BlockingRPCChannel
        do {
            channel = BlockingRPCChannel(target: addresses[0], limits: CoordinatorSettings.messageLimits, security: try connection.tls.security())
            try channel.serverStreaming(MethodPath.coordinatorQuery, request.serializedBytes(), options: connection.callOptions) { bytes in
                items.append(try QueryResponse(serializedBytes: bytes))
            }
        } catch let error as RPCError where error.code == .unavailable && items.isEmpty {
            return
        } catch {
            throw CLIFailure.exit(error, context: "query")
        }
        printAnswer(items)
        // Nothing is left to do but gRPC's teardown (closing the channel, joining its executor
        // and timer threads: each a wait for a core on a busy machine) and static destructors
        // that run while those threads still live. Standard output is flushed and the process
        // ends with the channel open; standard error is unbuffered.
        withExtendedLifetime(channel) {
            fflush(nil)  // every output stream
            _exit(0)
        }
    }

    private func request() throws -> QueryRequest {
        let queryMode: QueryMode = switch mode {
        case "lexical": .lexical
        case "vector": .vector
        case "hybrid": .hybrid
        default: .auto
        }
        return QueryRequest(namespace: namespace, text: text, mode: queryMode, topK: topK, tokenBudget: budget,
                            filter: Filter(documentPrefix: prefix, metadataEquals: try KeyValueOption.parse(whereEquals, option: "--where")))
    }

    private func printAnswer(_ items: [QueryResponse]) {
        json ? printJSON(items) : printText(items)
    }

    private func printText(_ items: [QueryResponse]) {
        for item in items {
            switch item {
            case .header(let header) where header.degraded || header.stale:
                if header.degraded { FileHandle.standardError.write(Data("warning: degraded answer: \(header.degradedReason)\n".utf8)) }
                if header.stale { FileHandle.standardError.write(Data("warning: stale answer: \(header.staleReason)\n".utf8)) }
            case .passage(let passage):
                let p = passage.provenance
                print("### \(p.documentID):\(p.lineStart)-\(p.lineEnd)  (score \(String(format: "%.3f", passage.score)), \(passage.tokens) tokens)")
                if !passage.metadata.isEmpty {
                    print("  metadata: " + passage.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
                }
                print(passage.text, terminator: "")
            case .textFragment(let text):
                print(text, terminator: "")
            case .summary(let summary):
                print("\n--- \(summary.passages) passages, \(summary.tokens) tokens from \(summary.candidates) candidates (search \(String(format: "%.1f", summary.searchMs)) ms, assembly \(String(format: "%.1f", summary.assembleMs)) ms)")
            default:
                break
            }
        }
    }

    private func printJSON(_ items: [QueryResponse]) {
        var passages: [[String: Any]] = []
        var result: [String: Any] = [:]
        for item in items {
            switch item {
            case .header(let header):
                result["mode"] = "\(header.mode)"
                result["degraded"] = header.degraded
                result["missing_slots"] = header.missingSlots.map(Int.init)
                result["stale"] = header.stale
                if header.stale { result["stale_reason"] = header.staleReason }
            case .passage(let passage):
                let p = passage.provenance
                passages.append(["document": p.documentID, "line_start": p.lineStart, "line_end": p.lineEnd, "score": passage.score,
                                 "tokens": Int(passage.tokens), "rank": Int(passage.rank), "text": passage.text,
                                 // Keys are unique within a document (ingest refuses repeats).
                                 "metadata": Dictionary(passage.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })])
            case .textFragment(let text):
                if var last = passages.popLast() { last["text"] = (last["text"] as? String ?? "") + text; passages.append(last) }
            case .summary(let summary):
                result["tokens"] = Int(summary.tokens)
                result["candidates"] = Int(summary.candidates)
            }
        }
        result["passages"] = passages
        if let data = try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
