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
/// only blocking work goes to the worker pool, its answer written back on the loop. Requests are
/// parsed by NIO's HTTP decoder; answers are written as one buffer each (they are small and of one
/// shape). Keep-alive; pipelined requests answered in order, and no more read while a client does
/// not read its answers; bodies over 64 KiB answered 413 and never kept; a connection idle for a
/// minute closed; every request logged and counted when answered.
final class HTTPServer: Sendable {
    static let maximumBodyBytes = 64 * 1024
    /// Pipelined requests a connection may have waiting before it stops reading more.
    static let maximumQueued = 16
    /// A connection that sends nothing for this long (between requests or within one) is closed.
    static let idleTimeout = TimeAmount.seconds(60)

    private let router: @Sendable (IncomingRequest) -> Route
    private let maximumConnections: Int
    private let connections = Locked(0)
    private let pool: WorkerPool
    private let metrics: Metrics
    private let log: BatchedLines
    /// Requests read and not yet answered, so that a stop waits for them.
    private let inFlight = Locked(0)
    /// Stopping: answers close their connections.
    private let draining = Locked(false)

    init(
        router: @escaping @Sendable (IncomingRequest) -> Route, maximumConnections: Int, pool: WorkerPool, metrics: Metrics,
        log: BatchedLines
    ) {
        self.router = router
        self.maximumConnections = maximumConnections
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
                // Over the limit, a connection is closed before anything is read from it.
                let admitted = connections.withLock { open in
                    guard open < maximumConnections else { return false }
                    open += 1
                    return true
                }
                guard admitted else {
                    metrics.connectionRefused()
                    return channel.close()
                }
                channel.closeFuture.whenComplete { [self] _ in connections.withLock { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: HTTPServer.idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
                    try channel.pipeline.syncOperations.addHandler(Connection(server: self))
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    /// Waits until every request read has been answered and its answer written, at most `seconds`;
    /// answers meanwhile close their connections.
    func drain(seconds: Double) async {
        draining.withLock { $0 = true }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while inFlight.withLock({ $0 }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A request read whole, waiting for its turn.
    private struct Pending {
        var head: HTTPRequestHead
        var body: [UInt8]
        var tooLarge: Bool
        var started: ContinuousClock.Instant
    }

    /// One connection: its requests in the order they came, one answered at a time.
    private final class Connection: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundIn = Never
        typealias OutboundOut = ByteBuffer

        private let server: HTTPServer
        private var reading: Pending?
        private var queue: [Pending] = []
        /// An answer is being made on the worker pool.
        private var busy = false
        /// A read held back while the queue is full.
        private var readHeld = false
        private var closing = false
        /// The parts of a request already refused on its declared length are dropped.
        private var discarding = false

        init(server: HTTPServer) {
            self.server = server
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                server.inFlight.withLock { $0 += 1 }
                let declared = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
                guard declared <= HTTPServer.maximumBodyBytes else {
                    // Refused on its declared length at once: the body is neither read whole nor kept,
                    // and the connection closes after the 413.
                    discarding = true
                    queue.append(Pending(head: head, body: [], tooLarge: true, started: .now))
                    return answerQueued(context: context)
                }
                discarding = false
                reading = Pending(head: head, body: [], tooLarge: false, started: .now)
            case .body(var chunk):
                guard var request = reading, !request.tooLarge else { return }
                reading = nil  // Not shared while the body grows, so it grows in place.
                if request.body.count + chunk.readableBytes > HTTPServer.maximumBodyBytes {
                    request.tooLarge = true  // The rest is read and dropped; the answer is 413.
                    request.body = []
                } else {
                    request.body += chunk.readBytes(length: chunk.readableBytes) ?? []
                }
                reading = request
            case .end:
                guard !discarding, let request = reading else { return }
                reading = nil
                queue.append(request)
                answerQueued(context: context)
            }
        }

        /// Answers the queued requests in order until one must wait for the worker pool.
        private func answerQueued(context: ChannelHandlerContext) {
            // A client that does not read its answers gets no more until it does.
            while !busy, !closing, !queue.isEmpty, context.channel.isWritable {
                answer(queue.removeFirst(), context: context)
            }
            if readHeld, queue.count < HTTPServer.maximumQueued, context.channel.isWritable {
                readHeld = false
                context.read()
            }
        }

        private func answer(_ request: Pending, context: ChannelHandlerContext) {
            let head = request.head
            let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let path = String(parts.first ?? "/")
            if request.tooLarge {
                let reply = Reply(.error(413, "the request body is larger than \(HTTPServer.maximumBodyBytes / 1024) KiB"))
                return send(reply, endpoint: "TooLarge", request: request, path: path, keepAlive: false, context: context)
            }
            let incoming = IncomingRequest(
                method: head.method, path: path, query: parts.count > 1 ? parts[1] : "",
                authorization: head.headers.first(name: "authorization"), body: request.body)
            let route = server.router(incoming)
            switch route.work {
            case .now(let reply):
                send(reply, endpoint: route.endpoint, request: request, path: path, keepAlive: head.isKeepAlive, context: context)
            case .onPool(let work):
                busy = true
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
                        connection.busy = false
                        connection.send(
                            reply, endpoint: route.endpoint, request: request, path: path, keepAlive: head.isKeepAlive, context: context)
                        connection.answerQueued(context: context)
                    }
                }
            }
        }

        private func send(_ reply: Reply, endpoint: String, request: Pending, path: String, keepAlive: Bool, context: ChannelHandlerContext)
        {
            let keepAlive = keepAlive && !server.draining.withLock { $0 }
            let status = HTTPResponseStatus(statusCode: reply.status)
            var buffer = context.channel.allocator.buffer(capacity: 160 + reply.body.count)
            buffer.writeString("HTTP/1.1 \(reply.status) \(status.reasonPhrase)\r\nContent-Type: \(reply.contentType)\r\n")
            buffer.writeString("Content-Length: \(reply.body.count)\r\nCache-Control: no-store\r\n")
            if let retryAfter = reply.retryAfter { buffer.writeString("Retry-After: \(retryAfter)\r\n") }
            if !keepAlive {
                buffer.writeStaticString("Connection: close\r\n")
            } else if request.head.version == .http1_0 {
                buffer.writeStaticString("Connection: keep-alive\r\n")
            }
            buffer.writeStaticString("\r\n")
            if request.head.method != .HEAD { buffer.writeBytes(reply.body) }  // HEAD: the headers alone.
            let written = context.writeAndFlush(wrapOutboundOut(buffer))
            record(reply.status, endpoint: endpoint, request: request, path: path)
            if !keepAlive { closing = true }
            let (server, channel, close) = (self.server, context.channel, !keepAlive)
            written.whenComplete { _ in
                server.inFlight.withLock { $0 -= 1 }
                if close { channel.close(promise: nil) }
            }
        }

        /// The access log line and the metrics; never the query, a header or the body.
        private func record(_ status: Int, endpoint: String, request: Pending, path: String) {
            let elapsed = ContinuousClock.now - request.started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            server.metrics.request(endpoint: endpoint, status: status, seconds: seconds)
            server.log.request(method: request.head.method.rawValue, path: path, status: status, milliseconds: seconds * 1000)
        }

        /// Holds reading back while too many pipelined requests wait, or answers are not being read.
        func read(context: ChannelHandlerContext) {
            if queue.count >= HTTPServer.maximumQueued || !context.channel.isWritable {
                readHeld = true
            } else {
                context.read()
            }
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { answerQueued(context: context) }
            context.fireChannelWritabilityChanged()
        }

        /// Nothing read for `idleTimeout`: the connection is closed, unless its answer is being made.
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, !busy {
                context.close(promise: nil)
            } else {
                context.fireUserInboundEventTriggered(event)
            }
        }

        /// A request NIO's decoder cannot parse: 400, and the connection closed (at once when an
        /// earlier request's answer is still to come, which the 400 must not pass).
        func errorCaught(context: ChannelHandlerContext, error: Error) {
            guard error is HTTPParserError, !closing, !busy, queue.isEmpty else {
                context.close(promise: nil)
                return
            }
            closing = true
            let body = #"{"error":"the request is not HTTP/1.1 this server can read"}"#
            var buffer = context.channel.allocator.buffer(capacity: 128)
            buffer.writeString(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                    + body)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            // Requests cut off, or read and never to be answered, are no longer in flight.
            let dropped = (reading == nil ? 0 : 1) + queue.count
            reading = nil
            queue.removeAll()
            if dropped > 0 { server.inFlight.withLock { $0 -= dropped } }
            context.fireChannelInactive()
        }
    }
}
