import Foundation
import Logging
import StrataAuth
import StrataCore
import StrataMetrics
import StrataRPC
import StrataWire
import Synchronization

/// Client authorization on the coordinator (`auth.enabled`): bearer tokens checked against
/// the token registry, each call against the permission its method needs
/// (docs/security.md, "Who may call what"), and the token RPCs. The registry is held as a
/// value and swapped after every change, so a revocation takes effect on the next call.
///
/// Where the registry lives: in `auth.tokens_file` for a coordinator on local files; in the
/// control plane's `tokens` record when coordinators share etcd, so a token created through
/// any coordinator is valid on every one. There the leader alone changes it (a follower
/// answers UNAVAILABLE naming the leader, which clients follow), every coordinator adopts
/// the record as its watch delivers it (a revocation reaches followers within the watch's
/// delay), and each keeps a copy in its own tokens file for the workers' /metrics checks.
///
/// Off (the default), every call is allowed and the token RPCs answer FAILED_PRECONDITION.
final class CoordinatorAccess: Sendable {
    let enabled: Bool
    private let store: TokenFileStore?
    /// Coordinators sharing etcd: the control plane holding the registry.
    private let shared: CoordinatorControlPlane?
    /// One change of the shared registry at a time (read, change, commit).
    private let changes = SlotLocks()
    private let registry: Mutex<TokenRegistry>
    private let refusals = Mutex<[String: UInt64]>([:])
    private let logger: Logger

    /// What each client method needs before its handler runs. `.namespaced` methods are
    /// authenticated here (any valid token) and their handler checks the namespace's scope.
    enum Rule: Sendable {
        case admin, observe, namespaced
    }

    static let rules: [String: Rule] = [
        MethodPath.coordinatorCreateNamespace: .admin,
        MethodPath.coordinatorDropNamespace: .admin,
        MethodPath.coordinatorListNamespaces: .observe,
        MethodPath.coordinatorClusterStatus: .observe,
        MethodPath.coordinatorNodeStatus: .observe,
        MethodPath.coordinatorIngest: .namespaced,
        MethodPath.coordinatorDeleteDocuments: .namespaced,
        MethodPath.coordinatorQuery: .namespaced,
        MethodPath.coordinatorListDocuments: .namespaced,
        MethodPath.coordinatorReadDocument: .namespaced,
        MethodPath.coordinatorRecordSync: .namespaced,
        MethodPath.coordinatorNamespaceStatus: .namespaced,
        MethodPath.tokensCreate: .admin,
        MethodPath.tokensRevoke: .admin,
        MethodPath.tokensList: .admin,
    ]

    /// Loads the registry (`auth.tokens_file`, default `<data>/tokens.json`) and, at the first
    /// secure start, registers the first admin token (`TokenBootstrap`). With `shared` (the
    /// control plane is etcd) the control plane's `sharedRecord` is the registry when it
    /// exists; until a leader wrote one, the file and the bootstrap give the registry a new
    /// leader publishes (`sharedSeed`).
    init(config: StrataConfig, logger: Logger, shared: CoordinatorControlPlane? = nil, sharedRecord: [UInt8]? = nil) throws {
        enabled = config.auth.enabled
        self.logger = logger
        self.shared = shared
        guard enabled else {
            store = nil
            registry = Mutex(.empty)
            return
        }
        let path = config.auth.tokensFile.isEmpty ? config.node.dataDir + "/tokens.json" : config.auth.tokensFile
        let store = TokenFileStore(path: path)
        self.store = store
        if shared != nil, let sharedRecord {
            let loaded = try TokenRegistry(json: sharedRecord, source: "the control plane's tokens record")
            try store.mirror(loaded)
            registry = Mutex(loaded)
            logger.info("client tokens required", metadata: ["tokens": "control plane", "active tokens": "\(loaded.activeRecords.count)"])
            return
        }
        var loaded = try store.load()
        try Self.bootstrap(&loaded, file: config.auth.bootstrapTokenFile, store: store, logger: logger)
        registry = Mutex(loaded)
        logger.info("client tokens required", metadata: ["tokens_file": "\(path)", "active tokens": "\(loaded.activeRecords.count)"])
    }

    private static func bootstrap(_ registry: inout TokenRegistry, file: String, store: TokenFileStore, logger: Logger) throws {
        let state: TokenBootstrap.FileState
        if file.isEmpty {
            state = .notConfigured
        } else if let data = FileManager.default.contents(atPath: file) {
            state = .present(path: file, contents: String(decoding: data, as: UTF8.self))
        } else {
            state = .missing(path: file)
        }
        let now = Int64(Date().timeIntervalSince1970)
        switch try TokenBootstrap.plan(registry: registry, file: state) {
        case .none:
            return
        case .generateAndPrint:
            let secret = TokenSecret.generate()
            try registry.create(name: TokenBootstrap.adminName, scopes: [.admin], secret: secret, nowUnix: now)
            try store.save(registry)
            FileHandle.standardError.write(Data("strata-coordinator: first admin token (shown once, store it now): \(secret.revealed)\n".utf8))
        case .generateAndWrite(let path):
            let secret = TokenSecret.generate()
            guard try Self.createExclusively(path, contents: secret.revealed + "\n") else {
                // Coordinators started together on one machine share the file: the first to
                // create it wins and the others take its token (an overwrite would leave each
                // with its own and the file matching only the last).
                let contents = try Self.readOnceWritten(path)
                guard case .adopt(let theirs, _) = try TokenBootstrap.plan(registry: registry, file: .present(path: path, contents: contents)) else {
                    throw StrataError.failedPrecondition("auth.bootstrap_token_file \(path) was written by another process but holds no token")
                }
                try registry.create(name: TokenBootstrap.adminName, scopes: [.admin], secret: theirs, nowUnix: now)
                try store.save(registry)
                logger.notice("first admin token taken from file", metadata: ["file": "\(path)"])
                return
            }
            try registry.create(name: TokenBootstrap.adminName, scopes: [.admin], secret: secret, nowUnix: now)
            try store.save(registry)
            logger.notice("first admin token written", metadata: ["file": "\(path)"])
        case .adopt(let secret, let path):
            try registry.create(name: TokenBootstrap.adminName, scopes: [.admin], secret: secret, nowUnix: now)
            try store.save(registry)
            logger.notice("first admin token taken from file", metadata: ["file": "\(path)"])
        }
    }

    /// Creates `path` holding `contents` (mode 0600) unless it exists; false when it did.
    private static func createExclusively(_ path: String, contents: String) throws(StrataError) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return false }
            throw StrataError.failedPrecondition("auth.bootstrap_token_file \(path) cannot be written: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw StrataError.failedPrecondition("auth.bootstrap_token_file \(path) cannot be written: \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// The file another process has just created, once its line is complete (it writes the
    /// token and its newline in one call; a reader can only catch it empty).
    private static func readOnceWritten(_ path: String) throws(StrataError) -> String {
        for _ in 0..<100 {
            if let data = FileManager.default.contents(atPath: path), data.last == UInt8(ascii: "\n") {
                return String(decoding: data, as: UTF8.self)
            }
            usleep(20_000)
        }
        throw StrataError.failedPrecondition("auth.bootstrap_token_file \(path) was created by another process but stayed empty for 2 s")
    }

    // MARK: Decisions

    /// Allows the call or throws UNAUTHENTICATED / PERMISSION_DENIED; nil when auth is off.
    @discardableResult
    func require(_ context: ServerContext, _ permission: Permission) throws(StrataError) -> AccessGrant? {
        guard enabled else { return nil }
        let decision = Authorizer(registry: registry.withLock { $0 })
            .decide(authorization: context.metadataValue(BearerCredential.metadataKey), required: permission)
        guard let error = decision.error else { return try decision.caller() }
        refusals.withLock { $0[error.code == .unauthenticated ? "unauthenticated" : "permission_denied", default: 0] += 1 }
        logger.info("client call refused", metadata: ["method": "\(context.method)", "peer": "\(context.peer.address)", "reason": "\(error.message)"])
        throw error
    }

    /// A scrape's `Authorization` header (HTTP): any valid token.
    func allowsScrape(authorization: String?) -> Bool {
        guard enabled else { return true }
        return Authorizer(registry: registry.withLock { $0 }).decide(authorization: authorization, required: .observe).error == nil
    }

    /// The service with every call authenticated, and checked when its rule needs no
    /// namespace; a method without a rule needs `admin`.
    func guarding(_ service: ServiceDefinition) -> ServiceDefinition {
        guard enabled else { return service }
        return service.guarded { [self] path, context in
            switch Self.rules[path] ?? .admin {
            case .admin: try require(context, .admin)
            case .observe, .namespaced: try require(context, .observe)
            }
        }
    }

    /// Whether the caller may see `namespace` (ListNamespaces filters with it).
    func canRead(_ grant: AccessGrant?, _ namespace: String) -> Bool { grant?.canRead(namespace) ?? true }

    // MARK: Tokens

    func create(_ request: CreateTokenRequest) async throws -> CreateTokenResponse {
        var scopes: [Scope] = []
        for (index, text) in request.scopes.enumerated() {
            do {
                scopes.append(try Scope(parsing: text.trimmingCharacters(in: .whitespaces)))
            } catch {
                throw StrataError.invalidArgument("scopes[\(index)]: \(error.message)")
            }
        }
        let secret = TokenSecret.generate()
        let record = try await change { [scopes] registry, now in
            try registry.create(name: request.name, scopes: scopes, secret: secret, nowUnix: now)
        }
        logger.notice("token created", metadata: ["name": "\(record.name)", "scopes": "\(record.scopes.map(\.description))"])
        return CreateTokenResponse(token: Self.info(record), secret: secret.revealed)
    }

    func revoke(_ request: RevokeTokenRequest) async throws -> TokenInfo {
        let record = try await change { registry, now in try registry.revoke(name: request.name, nowUnix: now) }
        logger.notice("token revoked", metadata: ["name": "\(record.name)"])
        return Self.info(record)
    }

    func list() -> ListTokensResponse {
        ListTokensResponse(tokens: registry.withLock { $0 }.records.map(Self.info))
    }

    /// Applies `body` to a copy, saves it (the shared registry: commits it to the control
    /// plane, leader only), and only then makes it the registry calls see.
    private func change(_ body: @escaping @Sendable (inout TokenRegistry, Int64) throws -> TokenRecord) async throws -> TokenRecord {
        guard let store else {
            throw StrataError.failedPrecondition("client tokens are off on this coordinator (auth.enabled is false)")
        }
        if let shared {
            _ = try shared.requireLeader()
            return try await changes.withLock(0) { [self] in
                var updated = registry.withLock { $0 }
                let record = try body(&updated, Int64(Date().timeIntervalSince1970))
                try await shared.persist(.tokens, updated.encodedJSON(), generation: updated.revision)
                registry.withLock { $0 = updated }
                mirror(updated)
                return record
            }
        }
        return try registry.withLock { current in
            var updated = current
            let record = try body(&updated, Int64(Date().timeIntervalSince1970))
            try store.save(updated)
            current = updated
            return record
        }
    }

    // MARK: The shared registry (coordinators on etcd)

    /// Takes the control plane's `tokens` record (a watch delivered it, or a new leader
    /// loaded it). A follower takes whatever differs (the leader wrote it); a leader only a
    /// later revision (its own commits come back through the watch, possibly late).
    func adopt(_ bytes: [UInt8], asLeader: Bool) {
        guard enabled, shared != nil else { return }
        let incoming: TokenRegistry
        do {
            incoming = try TokenRegistry(json: bytes, source: "the control plane's tokens record")
        } catch {
            logger.error("the control plane's tokens record cannot be read; keeping the registry", metadata: ["error": "\(error)"])
            return
        }
        let taken = registry.withLock { current -> Bool in
            guard incoming != current, !asLeader || incoming.revision > current.revision else { return false }
            current = incoming
            return true
        }
        guard taken else { return }
        mirror(incoming)
        logger.info("client tokens changed in the control plane", metadata: [
            "revision": "\(incoming.revision)", "active tokens": "\(incoming.activeRecords.count)",
        ])
    }

    /// The registry a new leader writes when the control plane has none yet (nil: tokens off).
    func sharedSeed() -> [UInt8]? {
        guard enabled, shared != nil else { return nil }
        return registry.withLock { $0 }.encodedJSON()
    }

    /// Keeps the tokens file a copy of the shared registry (workers check /metrics scrapes
    /// against it); a failure is logged, the registry in the control plane stays the truth.
    private func mirror(_ registry: TokenRegistry) {
        do {
            try store?.mirror(registry)
        } catch {
            logger.warning("the tokens file cannot be updated", metadata: ["error": "\(error)"])
        }
    }

    static func info(_ record: TokenRecord) -> TokenInfo {
        TokenInfo(name: record.name, scopes: record.scopes.map(\.description), createdUnix: record.createdUnix,
                  revokedUnix: record.revokedUnix ?? 0)
    }

    /// The `strata.v1.Tokens` service.
    func tokenService() -> ServiceDefinition {
        var service = ServiceDefinition(name: StrataServiceName.tokens)
        service.unary("CreateToken", CreateTokenRequest.self, CreateTokenResponse.self) { [self] request, _ in try await create(request) }
        service.unary("RevokeToken", RevokeTokenRequest.self, TokenInfo.self) { [self] request, _ in try await revoke(request) }
        service.unary("ListTokens", ListTokensRequest.self, ListTokensResponse.self) { [self] _, _ in list() }
        return service
    }

    /// `strata_client_auth_refused_total{reason}` and the active token count.
    func samples() -> [MetricSample] {
        guard enabled else { return [] }
        let counts = refusals.withLock { $0 }
        return ["permission_denied", "unauthenticated"].map { reason in
            MetricSample("strata_client_auth_refused_total", .counter, Double(counts[reason] ?? 0), labels: [.init("reason", reason)],
                         help: "Client calls refused: no, unknown or revoked token (unauthenticated), or a token without the scope (permission_denied).")
        } + [MetricSample("strata_client_tokens_active", .gauge, Double(registry.withLock { $0 }.activeRecords.count),
                          help: "Client tokens that authenticate (issued and not revoked).")]
    }
}
