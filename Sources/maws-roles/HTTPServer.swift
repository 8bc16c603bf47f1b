import MawsCore
import MawsRoles
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the routes see it: the body whole (at most `HTTPServer.maximumBodyBytes`).
struct IncomingRequest: Sendable {
    var method: HTTPMethod
    /// The path without the query, which is never logged.
    var path: String
    var query: Substring
    var authorization: String?
    var body: [UInt8]

    /// Whether the query has `name=value`.
    func query(_ name: String, is value: String) -> Bool {
        query.split(separator: "&").contains { $0 == "\(name)=\(value)" }
    }
}

/// An answer: status, content type, body, and `Retry-After` for the 429s and 503s.
struct Reply: Sendable {
    var status: Int
    var contentType = "application/json"
    var body: [UInt8]
    var retryAfter: Int?

    init(_ answer: RolesService.Answer) {
        status = answer.status
        body = answer.body
        retryAfter = answer.retryAfter
    }

    init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// Where a request goes: its endpoint (the metrics' label) and its answer, given at once on the
/// event loop or made by blocking work on the worker pool.
struct Route: Sendable {
    enum Work: Sendable {
        case now(Reply)
        case onPool(@Sendable () -> Reply)
    }

    var endpoint: String
    var work: Work
}

/// The roles API's HTTP/1.1 server, on SwiftNIO's event loops directly: each request is read,
/// routed and answered by the loop that owns its connection, without a task or a thread hop, and
/// only blocking work goes to the worker pool, its answer written back on the loop. Keep-alive,
/// pipelined requests answered in order (NIO's pipelining handler), bodies over 64 KiB refused
/// with 413 before they are read whole, and every request logged and counted when answered.
final class HTTPServer: Sendable {
    static let maximumBodyBytes = 64 * 1024

    private let router: @Sendable (IncomingRequest) -> Route
    private let pool: WorkerPool
    private let metrics: Metrics
    private let log: BatchedLines
    /// Requests read and not yet answered, so that a stop waits for them.
    private let inFlight = Locked(0)

    init(router: @escaping @Sendable (IncomingRequest) -> Route, pool: WorkerPool, metrics: Metrics, log: BatchedLines) {
        self.router = router
        self.pool = pool
        self.metrics = metrics
        self.log = log
    }

    /// Binds `host:port` and returns the listening channel.
    func start(host: String, port: Int) async throws -> Channel {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Connection(server: self))
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    /// Waits until every request read has been answered, at most `seconds`.
    func drain(seconds: Double) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while inFlight.withLock({ $0 }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// One connection's requests, one at a time (the pipelining handler holds the next back).
    private final class Connection: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let server: HTTPServer
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []
        private var tooLarge = false
        private var started = ContinuousClock.now

        init(server: HTTPServer) {
            self.server = server
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.removeAll(keepingCapacity: true)
                tooLarge = false
                started = .now
                server.inFlight.withLock { $0 += 1 }
            case .body(var chunk):
                guard !tooLarge else { return }
                if body.count + chunk.readableBytes > HTTPServer.maximumBodyBytes {
                    tooLarge = true  // The rest is read and dropped; the answer is 413.
                } else {
                    body += chunk.readBytes(length: chunk.readableBytes) ?? []
                }
            case .end:
                guard let head else { return }
                self.head = nil
                respond(to: head, context: context)
            }
        }

        private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
            let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts.first ?? "/")
            if tooLarge {
                let reply = Reply(.error(413, "the request body is larger than \(HTTPServer.maximumBodyBytes / 1024) KiB"))
                return send(reply, endpoint: path, head: head, path: path, context: context)
            }
            let request = IncomingRequest(
                method: head.method, path: path, query: parts.count > 1 ? parts[1] : "",
                authorization: head.headers.first(name: "authorization"), body: body)
            let route = server.router(request)
            switch route.work {
            case .now(let reply):
                send(reply, endpoint: route.endpoint, head: head, path: path, context: context)
            case .onPool(let work):
                let loop = context.eventLoop
                let bound = NIOLoopBound((self, context), eventLoop: loop)
                let workers = server.pool.workers
                let waiting = server.pool.queueLimit
                server.pool.run(work) { result in
                    let reply: Reply
                    switch result {
                    case .success(let answer): reply = answer
                    case .failure(.busy):
                        reply = Reply(
                            .error(503, "the server is busy (\(workers) workers, \(waiting) waiting); try again shortly", retryAfter: 1))
                    case .failure(.noThread(let reason)):
                        Diagnostics.writeLine("maws-roles: cannot start a worker thread: \(reason)")
                        reply = Reply(.error(503, "the server cannot start a worker thread; try again shortly", retryAfter: 1))
                    }
                    loop.execute {
                        let (connection, context) = bound.value
                        connection.send(reply, endpoint: route.endpoint, head: head, path: path, context: context)
                    }
                }
            }
        }

        private func send(_ reply: Reply, endpoint: String, head: HTTPRequestHead, path: String, context: ChannelHandlerContext) {
            let keepAlive = head.isKeepAlive && !tooLarge
            var headers = HTTPHeaders()
            headers.reserveCapacity(5)
            headers.add(name: "Content-Type", value: reply.contentType)
            headers.add(name: "Content-Length", value: String(reply.body.count))
            headers.add(name: "Cache-Control", value: "no-store")
            if let retryAfter = reply.retryAfter { headers.add(name: "Retry-After", value: String(retryAfter)) }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let status = HTTPResponseStatus(statusCode: reply.status)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: reply.body.count)
            buffer.writeBytes(reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
            record(reply.status, endpoint: endpoint, method: head.method, path: path)
        }

        /// The access log line and the metrics; never the query, a header or the body.
        private func record(_ status: Int, endpoint: String, method: HTTPMethod, path: String) {
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            server.metrics.request(endpoint: endpoint, status: status, seconds: seconds)
            server.log.append(
                #"{"time":""# + server.log.now() + #"","method":""# + method.rawValue + #"","path":"# + jsonString(path)
                    + #","status":"# + String(status) + #","ms":"# + String((seconds * 10_000).rounded() / 10) + "}")
            server.inFlight.withLock { $0 -= 1 }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if head != nil {  // A request cut off before its end is no longer in flight.
                head = nil
                server.inFlight.withLock { $0 -= 1 }
            }
            context.fireChannelInactive()
        }
    }
}
