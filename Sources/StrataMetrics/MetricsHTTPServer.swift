import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP listener of a node's `/metrics` endpoint, on SwiftNIO with one event-loop
/// thread of its own (scrapes are rare and cheap; the node's RPC threads stay untouched).
public final class MetricsHTTPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// "host:port" the listener is bound to.
    public let address: String
    /// The bound port (the one asked for, or the one picked for port 0).
    public let port: Int

    /// Binds `host:port` and starts answering; `render` runs on the listener's thread for
    /// each scrape. `authorize`, when given, gets each request's `Authorization` header and
    /// decides whether it is answered (401 otherwise). Throws when the address cannot be bound
    /// (in use, not local).
    public init(host: String, port: Int, authorize: (@Sendable (String?) -> Bool)? = nil,
                render: @escaping @Sendable () -> [UInt8]) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render, authorize: authorize))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        let boundPort = channel.localAddress?.port ?? port
        self.port = boundPort
        address = host.contains(":") ? "[\(host)]:\(boundPort)" : "\(host):\(boundPort)"
    }

    /// Stops listening, closes open connections and ends the listener's thread.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}
