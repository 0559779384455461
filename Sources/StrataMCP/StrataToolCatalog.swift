import MCP

/// The tools Strata offers an agent over MCP, each with a JSON schema and a description
/// written for the model that reads it: what the tool is for, when to use it, what comes back.
public enum StrataToolCatalog {
    static let namespaceProperty: Value = .object([
        "type": "string",
        "description": "The namespace to use: a named collection of documents (a codebase, a document set). Call list_namespaces to see which exist.",
    ])
    static let pathPrefixProperty: Value = .object([
        "type": "string",
        "description": "Only documents whose id (their path relative to the synced directory, e.g. \"src/server/\") starts with this prefix.",
    ])
    static let whereProperty: Value = .object([
        "type": "object",
        "description": "Only documents whose metadata holds every one of these key/value pairs (exact, case-sensitive string match).",
        "additionalProperties": ["type": "string"],
    ])
    static let modeProperty: Value = .object([
        "type": "string",
        "enum": ["auto", "lexical", "vector", "hybrid"],
        "description": "How passages are ranked. auto (default) picks the best ranking the namespace supports (hybrid where the server embeds the namespace's text, else lexical); lexical is BM25 over code-aware terms (exact identifiers and words). vector and hybrid need vectors: a namespace created with an embedder, or vectors sent with the documents.",
    ])

    public static let getContext = Tool(
        name: "get_context",
        title: "Get context for a task",
        description: """
            Returns the most relevant passages of a namespace for a question or task, assembled to fit a token budget, \
            ready to read: each passage starts with a header naming its document and line range (provenance you can cite \
            or open with read_document). Use it first when you need to understand code or documents you have not read. \
            The result says how many tokens it holds, and whether it is degraded (part of the cluster was unreachable, \
            so some documents could not be searched).
            """,
        inputSchema: .object([
            "type": "object",
            "properties": .object([
                "query": .object(["type": "string", "description": "What you need context for, in natural language or keywords, e.g. \"how are writes replicated\"."]),
                "namespace": namespaceProperty,
                "token_budget": .object([
                    "type": "integer", "minimum": 1, "maximum": 1_000_000,
                    "description": "Most tokens the assembled context may take (headers included), counted with the namespace's tokenizer. Default 8192.",
                ]),
                "mode": modeProperty,
                "path_prefix": pathPrefixProperty,
                "where": whereProperty,
            ]),
            "required": ["query", "namespace"],
            "additionalProperties": false,
        ]),
        annotations: .init(title: "Get context", readOnlyHint: true, openWorldHint: false))

    public static let search = Tool(
        name: "search",
        title: "Search passages",
        description: """
            Finds the passages of a namespace that best match a query and lists them best first, each with its document, \
            line range, score and the start of its text. Use it to locate where something is (a function, a setting, a \
            topic) before reading it whole with read_document; use get_context instead when you want the text itself.
            """,
        inputSchema: .object([
            "type": "object",
            "properties": .object([
                "query": .object(["type": "string", "description": "Keywords or a question, e.g. \"parseConfig\" or \"where is the retry limit set\"."]),
                "namespace": namespaceProperty,
                "top_k": .object(["type": "integer", "minimum": 1, "maximum": 100, "description": "How many passages to return. Default 10."]),
                "mode": modeProperty,
                "path_prefix": pathPrefixProperty,
                "where": whereProperty,
            ]),
            "required": ["query", "namespace"],
            "additionalProperties": false,
        ]),
        annotations: .init(title: "Search", readOnlyHint: true, openWorldHint: false))

    public static let readDocument = Tool(
        name: "read_document",
        title: "Read a document",
        description: """
            Returns the text of one stored document, or of a range of its lines, with line numbers. Use it to read a file \
            that get_context or search pointed to (their results name the document id and lines). Long documents are cut \
            at 4 MiB; the result then says from which line to continue.
            """,
        inputSchema: .object([
            "type": "object",
            "properties": .object([
                "namespace": namespaceProperty,
                "document_id": .object(["type": "string", "description": "The document's id as results show it, e.g. \"src/server/main.swift\"."]),
                "line_start": .object(["type": "integer", "minimum": 1, "description": "First line to return (1-based). Default 1."]),
                "line_end": .object(["type": "integer", "minimum": 1, "description": "Last line to return, inclusive. Default: the last line."]),
            ]),
            "required": ["namespace", "document_id"],
            "additionalProperties": false,
        ]),
        annotations: .init(title: "Read document", readOnlyHint: true, openWorldHint: false))

    public static let syncDirectory = Tool(
        name: "sync_directory",
        title: "Sync a directory",
        description: """
            Makes a namespace mirror a directory on the machine this server runs on: sends only files that are new or \
            changed since the last sync, deletes documents whose files are gone, honours .gitignore, and skips binary \
            files. Creates the namespace if it does not exist. Use it before get_context when the files may have changed. \
            Returns how many documents were added, changed, deleted and left unchanged.
            """,
        inputSchema: .object([
            "type": "object",
            "properties": .object([
                "path": .object(["type": "string", "description": "The directory to mirror (absolute, or relative to the server's working directory)."]),
                "namespace": .object(["type": "string", "description": "The namespace to mirror it into: 1-128 characters of letters, digits, '.', '_' and '-'."]),
                "embedder": .object(["type": "string", "description": "Only when the namespace is created here: embed its text on the server with this model (\"minilm-l6\") so that searches run hybrid (words and meaning). Omit for word search only."]),
            ]),
            "required": ["path", "namespace"],
            "additionalProperties": false,
        ]),
        annotations: .init(title: "Sync directory", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false))

    public static let indexingStatus = Tool(
        name: "indexing_status",
        title: "Indexing status",
        description: """
            Tells what a namespace holds and whether it is up to date: documents, chunks and tokens stored, documents in an \
            unknown state, when the last sync ran and what it did, and the progress of a sync that is running (or that \
            stopped reporting). Use it to check that a sync finished before relying on search results.
            """,
        inputSchema: .object([
            "type": "object",
            "properties": .object(["namespace": namespaceProperty]),
            "required": ["namespace"],
            "additionalProperties": false,
        ]),
        annotations: .init(title: "Indexing status", readOnlyHint: true, openWorldHint: false))

    public static let listNamespaces = Tool(
        name: "list_namespaces",
        title: "List namespaces",
        description: "Lists every namespace with its size in documents, chunks and tokens, and its tokenizer. Use it to find which namespace to search.",
        inputSchema: .object(["type": "object", "properties": .object([:]), "additionalProperties": false]),
        annotations: .init(title: "List namespaces", readOnlyHint: true, openWorldHint: false))

    public static let clusterStatus = Tool(
        name: "cluster_status",
        title: "Cluster status",
        description: """
            Reports the Strata cluster's health: each node and its state (serving, suspect, dead), how many slots are fully \
            replicated, under-replicated or unavailable, and recovery copies in progress. Use it when a result says it is \
            degraded, to see which worker is down and whether recovery is under way.
            """,
        inputSchema: .object(["type": "object", "properties": .object([:]), "additionalProperties": false]),
        annotations: .init(title: "Cluster status", readOnlyHint: true, openWorldHint: false))

    /// Every tool, in the order `tools/list` shows them.
    public static let all: [Tool] = [getContext, search, readDocument, syncDirectory, indexingStatus, listNamespaces, clusterStatus]
}
