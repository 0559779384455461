import Foundation
import StrataCore
import StrataRPC
import Synchronization

/// etcd members run on this machine: loopback ports chosen free, one data directory each
/// under a temporary directory of its own. The control plane's tests and `strata-bench etcd`
/// start theirs with it; it is not how a production cluster gets its etcd (that one is
/// started by its operator, or by `cluster-up.sh`).
///
/// Leaves nothing behind: `stop()` (also run by `deinit`) kills every member and removes the
/// directory, and a small shell watchdog beside each member kills it when this process is
/// gone, so even a test run that crashes does not leave an etcd running.
public final class LocalEtcd: Sendable {
    /// One member: where it listens and keeps its data.
    public struct Member: Sendable {
        public let name: String
        public let clientPort: Int
        public let peerPort: Int
        public let dataDirectory: String
        /// The client endpoint ("127.0.0.1:port").
        public var endpoint: String { "127.0.0.1:\(clientPort)" }
        var peerURL: String { "http://127.0.0.1:\(peerPort)" }
    }

    /// TLS for the members' client port (etcd's `--cert-file`, `--key-file`,
    /// `--trusted-ca-file`, `--client-cert-auth`); peers stay plain TCP on loopback.
    public struct TLS: Sendable {
        public var certificate: String
        public var key: String
        public var ca: String
        /// Members refuse clients without a certificate signed by `ca` (mutual TLS).
        public var clientCertificateAuth: Bool
        /// How this process reaches the members (for `waitUntilServing`).
        public var client: ChannelSecurity

        public init(certificate: String, key: String, ca: String, clientCertificateAuth: Bool, client: ChannelSecurity) {
            self.certificate = certificate
            self.key = key
            self.ca = ca
            self.clientCertificateAuth = clientCertificateAuth
            self.client = client
        }
    }

    public let directory: String
    public let members: [Member]
    public let tls: TLS?
    private let executable: String
    private let clusterToken: String
    private let extraArguments: [String]
    /// Each member's process and its watchdog (nil once killed).
    private let processes: Mutex<[(member: ChildProcess, watchdog: ChildProcess)?]>

    /// The etcd executable: `$STRATA_ETCD_BIN`, else `etcd` on the PATH, else nil.
    public static var executablePath: String? {
        if let configured = ProcessInfo.processInfo.environment["STRATA_ETCD_BIN"], !configured.isEmpty {
            return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/etcd") {
            return "\(directory)/etcd"
        }
        return nil
    }

    /// Starts `count` members (1 or an odd number for a quorum) and waits until every one
    /// answers a linearizable read. `extraArguments` go to every member
    /// (`--max-txn-ops 1024` is always given: etcd's default of 128 is below Strata's 256 slots).
    /// A port found free can be taken by another process before etcd binds it (the machine
    /// is shared): such a start is tried again on other ports, up to three times.
    public static func start(members count: Int = 1, extraArguments: [String] = [], tls: TLS? = nil,
                             timeout: Duration = .seconds(60)) async throws -> LocalEtcd {
        for attempt in 1...3 {
            let etcd = try LocalEtcd(members: count, extraArguments: extraArguments, tls: tls)
            do {
                try await etcd.waitUntilServing(timeout: timeout)
                return etcd
            } catch {
                etcd.stop()
                guard attempt < 3, "\(error)".contains("address already in use") else { throw error }
            }
        }
        throw StrataError(.internal, "unreachable")
    }

    private init(members count: Int, extraArguments: [String], tls: TLS?) throws {
        guard let executable = Self.executablePath else {
            throw StrataError(.failedPrecondition, "etcd is not installed (scripts/install-deps.sh installs Debian's etcd-server; or set STRATA_ETCD_BIN)")
        }
        guard count >= 1 else { throw StrataError.invalidArgument("members: \(count); use at least 1") }
        self.executable = executable
        self.extraArguments = extraArguments
        self.tls = tls
        directory = try Self.makeTemporaryDirectory()
        clusterToken = "strata-" + UUID().uuidString.lowercased().prefix(8)
        var ports = Set<Int>()
        var members: [Member] = []
        for index in 0..<count {
            func fresh() throws -> Int {
                for _ in 0..<20 {
                    let port = try LoopbackPort.unused()
                    if ports.insert(port).inserted { return port }
                }
                throw StrataError(.unavailable, "no free loopback port found")
            }
            members.append(Member(name: "etcd-\(index)", clientPort: try fresh(), peerPort: try fresh(), dataDirectory: "\(directory)/etcd-\(index)"))
        }
        self.members = members
        processes = Mutex(Array(repeating: nil, count: count))
        do {
            for index in members.indices { try launch(index, state: "new") }
        } catch {
            stop()
            throw error
        }
    }

    deinit {
        stop()
    }

    /// The client endpoints of every member, in member order.
    public var endpoints: [String] { members.map(\.endpoint) }

    /// Waits until every running member answers a linearizable read (which needs a quorum).
    public func waitUntilServing(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        for index in members.indices where isRunning(index) {
            let settings = try EtcdClientSettings(endpoints: [members[index].endpoint], requestTimeout: .seconds(1),
                                                  security: tls?.client ?? .insecure)
            while true {
                // A fresh channel each time: one that failed to connect before the member
                // listened would wait out gRPC's growing reconnect backoff (up to minutes).
                if (try? await EtcdClient(settings).range(EtcdRangeRequest(key: Array("strata-probe".utf8)))) != nil { break }
                guard isRunning(index) else {
                    throw StrataError(.unavailable, "\(members[index].name) exited at start: \(logTail(index))")
                }
                guard ContinuousClock.now < deadline else {
                    throw StrataError(.deadlineExceeded, "\(members[index].name) did not serve within \(timeout): \(logTail(index))")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Kills a member with SIGKILL (its data stays, for `restart`).
    public func kill(member index: Int) {
        let running = processes.withLock { processes in
            defer { processes[index] = nil }
            return processes[index]
        }
        guard let running else { return }
        running.member.killAndWait()
        running.watchdog.killAndWait()
    }

    /// Freezes a member (SIGSTOP): it holds its connections but answers nothing, as a
    /// partitioned or hung machine would. `resume` undoes it.
    public func pause(member index: Int) { signal(member: index, SIGSTOP) }

    public func resume(member index: Int) { signal(member: index, SIGCONT) }

    /// Starts a killed member again on its data directory and ports.
    public func restart(member index: Int) throws {
        guard !isRunning(index) else { return }
        try launch(index, state: "existing")
    }

    /// Kills every member and removes the directory. Safe to call more than once.
    public func stop() {
        for index in members.indices {
            signal(member: index, SIGCONT)
            kill(member: index)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func isRunning(_ index: Int) -> Bool {
        processes.withLock { $0[index]?.member.isRunning ?? false }
    }

    /// The last lines of a member's log, for error messages.
    public func logTail(_ index: Int, lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath(index), encoding: .utf8)) ?? "(no log)"
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: processes

    private func logPath(_ index: Int) -> String { "\(directory)/\(members[index].name).log" }

    private func arguments(_ index: Int, state: String) -> [String] {
        let member = members[index]
        let cluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        let scheme = tls == nil ? "http" : "https"
        var security: [String] = []
        if let tls {
            security = ["--cert-file", tls.certificate, "--key-file", tls.key, "--trusted-ca-file", tls.ca]
            if tls.clientCertificateAuth { security.append("--client-cert-auth") }
        }
        return [
            "--name", member.name, "--data-dir", member.dataDirectory,
            "--listen-client-urls", "\(scheme)://\(member.endpoint)", "--advertise-client-urls", "\(scheme)://\(member.endpoint)",
            "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
            "--initial-cluster", cluster, "--initial-cluster-state", state, "--initial-cluster-token", clusterToken,
            "--max-txn-ops", "1024", "--logger", "zap", "--log-level", "warn",
        ] + security + extraArguments
    }

    /// Starts a member, and beside it a watchdog shell that kills it once this process is
    /// gone (and ends by itself when the member does).
    private func launch(_ index: Int, state: String) throws {
        // A restarted member appends to the log of its first run.
        let log = open(logPath(index), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw StrataError(.internal, "cannot write \(logPath(index)): \(String(cString: strerror(errno)))") }
        defer { close(log) }  // the member has its own copy
        let member = try ChildProcess(executable, arguments(index, state: state), output: log)
        let script = "while kill -0 \(getpid()) 2>/dev/null && kill -0 $0 2>/dev/null; do sleep 0.5; done; kill -9 $0 2>/dev/null"
        let watchdog: ChildProcess
        do {
            watchdog = try ChildProcess("/bin/sh", ["-c", script, String(member.pid)], output: log)
        } catch {
            member.killAndWait()
            throw error
        }
        processes.withLock { $0[index] = (member, watchdog) }
    }

    private func signal(member index: Int, _ signal: Int32) {
        processes.withLock { $0[index] }?.member.signal(signal)
    }

    private static func makeTemporaryDirectory() throws -> String {
        let base = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        var template = Array("\(base)/strata-etcd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StrataError(.internal, "cannot create a temporary directory in \(base)") }
        return String(cString: made)
    }
}
