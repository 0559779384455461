import NIOCore
import NIOHTTP1

/// Answers HTTP/1.1 requests on one connection of the metrics listener (see `MetricsRoute`).
/// Request bodies are ignored; the answer goes out when the request ends.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The Prometheus text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let render: @Sendable () -> [UInt8]
    private let authorize: (@Sendable (String?) -> Bool)?
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> [UInt8], authorize: (@Sendable (String?) -> Bool)? = nil) {
        self.render = render
        self.authorize = authorize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let (status, body, contentType): (HTTPResponseStatus, [UInt8], String)
        switch MetricsRoute.resolve(method: request.method.rawValue, uri: request.uri) {
        case .metrics where authorize.map({ !$0(request.headers.first(name: "Authorization")) }) ?? false:
            (status, body, contentType) = (.unauthorized, Array("unauthorized: send Authorization: Bearer <token>\n".utf8), "text/plain; charset=utf-8")
        case .metrics:
            (status, body, contentType) = (.ok, render(), Self.contentType)
        case .notFound:
            (status, body, contentType) = (.notFound, Array("not found: metrics are served at \(MetricsRoute.path)\n".utf8), "text/plain; charset=utf-8")
        case .methodNotAllowed:
            (status, body, contentType) = (.methodNotAllowed, Array("method not allowed: use GET\n".utf8), "text/plain; charset=utf-8")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        if status == .unauthorized { headers.add(name: "WWW-Authenticate", value: "Bearer") }
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
