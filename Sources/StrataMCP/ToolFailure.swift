import StrataClient
import StrataCore
import StrataRPC

/// Turns a failed call into a sentence a model can act on: what went wrong, and what to do.
///
/// Decided by the status code and by what the tool asked (the namespace, the mode), never by
/// the text of the server's message: a reworded message must not change the advice.
enum ToolFailure {
    static func explain(_ error: any Error, client: CoordinatorClient, namespace: String?, mode: String? = nil) async -> String {
        guard let rpc = error as? RPCError else {
            if let strata = error as? StrataError { return "Strata refused the request: \(strata.message)." }
            return "The request failed: \(error)."
        }
        switch rpc.code {
        case .unavailable, .deadlineExceeded:
            return "The Strata coordinator at \(client.address) is unreachable (\(rpc.code): \(rpc.message)). The cluster may be stopped or restarting: ask the user to start it (scripts/cluster-up.sh) or check the coordinator address, then retry."
        case .notFound:
            // Whether it is the namespace that is missing (not a document in it): ask.
            if let namespace, let existing = (try? await client.listNamespaces())?.map(\.name), !existing.contains(namespace) {
                let choices = existing.isEmpty ? "There are no namespaces yet; create one by syncing a directory with sync_directory." : "The namespaces that exist are: \(existing.joined(separator: ", "))."
                return "Namespace '\(namespace)' does not exist. \(choices)"
            }
            return "Not found: \(rpc.message). Check the name (search or get_context show document ids as stored)."
        case .invalidArgument where mode == "vector" || mode == "hybrid":
            // The tools send text only: vector and hybrid need a namespace that embeds it.
            return "Strata refused the query: \(rpc.message). This server sends query text only, so use mode 'auto' or 'lexical'."
        case .invalidArgument, .outOfRange:
            return "Strata refused the arguments: \(rpc.message). Correct that argument and call the tool again."
        case .unauthenticated, .permissionDenied:
            return "The Strata coordinator refused this client's credentials (\(rpc.code): \(rpc.message)). The user must configure a valid token for the Strata MCP server (--token or --token-file)."
        case .failedPrecondition:
            return "Strata cannot do this now: \(rpc.message)."
        case .resourceExhausted:
            return "The request or its answer is too large (\(rpc.message)). Ask for less: a smaller token_budget, fewer lines, or a narrower path_prefix."
        default:
            return "Strata failed (\(rpc.code): \(rpc.message)). Retry; if it persists, check cluster_status."
        }
    }
}
