import Glibc

/// A small HTTP/1.1 server on the loopback addresses, for the sign-in redirect, the one-time
/// browser addresses and the container-credentials endpoint. One request per connection.
///
/// Any local process can connect to it, so it is built not to be starved: connections are
/// multiplexed with `poll` and never block one another; each must send its request head within
/// `Limits.headTimeout` and take its answer within `Limits.writeTimeout`; at most
/// `Limits.connections` are held, and a new one displaces the oldest still-silent one, so a flood
/// of idle connections cannot keep the browser's out; memory per connection is bounded by
/// `Limits.headBytes`; and while nothing is pending the process sleeps in `poll` without a timeout.
package final class LoopbackHTTPServer {
    package struct Request: Sendable {
        package var method: String
        /// The path and query, as sent.
        package var target: String
        /// Header fields with lowercased names.
        package var headers: [String: String]
        /// The body of a request that declares one with `Content-Length` (at most `Limits.bodyBytes`).
        package var body: [UInt8] = []

        /// The target up to the first `?` scalar.
        package var path: Substring { Substring(target.unicodeScalars.prefix { $0 != "?" }) }

        /// The target after the first `?` scalar ("" when there is none).
        package var query: Substring {
            guard let mark = target.unicodeScalars.firstIndex(of: "?") else { return "" }
            return Substring(target.unicodeScalars[target.unicodeScalars.index(after: mark)...])
        }
    }

    package struct Response: Sendable {
        package var status: String
        package var contentType: String
        package var body: [UInt8]
        /// Extra header fields, e.g. `Location`.
        package var headers: [(String, String)]
        /// Nothing from elsewhere, no script, and the page's own inline style only.
        package static let defaultContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"
        package var contentSecurityPolicy: String

        package init(
            status: String, contentType: String, body: [UInt8], headers: [(String, String)] = [],
            contentSecurityPolicy: String = Response.defaultContentSecurityPolicy
        ) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
            self.contentSecurityPolicy = contentSecurityPolicy
        }
    }

    /// Something besides the sockets to watch, e.g. the terminal for a pasted redirect.
    package protocol LineSource: AnyObject {
        var descriptor: Int32 { get }
        var closed: Bool { get }
        func readLines() -> [String]
    }

    /// What one client may cost.
    package struct Limits: Sendable {
        /// Connections held at once; past this the oldest one still sending its head is dropped.
        package var connections = 128
        /// The largest request head accepted.
        package var headBytes = 8192
        /// The largest request body accepted (a form the browser posts).
        package var bodyBytes = 16384
        package var headTimeout: Duration = .seconds(2)
        package var writeTimeout: Duration = .seconds(2)

        package init() {}
    }

    package let port: UInt16
    private let sockets: LoopbackSockets

    /// Where the server listens, e.g. "127.0.0.1:10800 and [::1]:10800", for messages.
    package var addresses: String {
        sockets.descriptors.count > 1 ? "127.0.0.1:\(port) and [::1]:\(port)" : "127.0.0.1:\(port)"
    }
    private let limits: Limits

    /// Binds the first port of `ports` that is free on both loopback addresses (0: any free port).
    package init(ports: [UInt16], limits: Limits = Limits()) throws(LoopbackServerError) {
        for port in ports {
            switch LoopbackSockets.bind(port: port) {
            case .bound(let sockets):
                self.sockets = sockets
                self.port = sockets.port
                self.limits = limits
                return
            case .busy:
                continue
            case .failed(let error):
                throw error
            }
        }
        throw .noFreePort(ports)
    }

    deinit {
        sockets.closeAll()
    }

    /// Answers requests with `handle` until it returns a value, a line from `lines` makes
    /// `onLine` return one, or `timeout` passes (nil: never).
    package func serve<Value>(
        timeout: Duration?, lines: LineSource? = nil, onLine: (String) -> Value? = { _ in nil },
        handle: (Request) -> (Response, Value?)
    ) throws(LoopbackServerError) -> Value {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var connections = ConnectionTable(limits: limits)
        defer { connections.closeAll() }
        // Set while the process is out of file descriptors: the listeners are left alone until then,
        // so poll does not report them readable again and again.
        var acceptResumes: ContinuousClock.Instant?

        while true {
            var now = clock.now
            if let deadline, now >= deadline, let timeout { throw .timedOut(timeout) }
            connections.closeExpired(at: now)
            if let resume = acceptResumes, now >= resume { acceptResumes = nil }
            let lineSource = lines.flatMap { $0.closed ? nil : $0 }

            var descriptors = acceptResumes == nil ? sockets.descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) } : []
            let listenerCount = descriptors.count
            let polled = connections.descriptors
            descriptors += polled.map { pollfd(fd: $0.descriptor, events: Int16($0.writing ? POLLOUT : POLLIN), revents: 0) }
            if let lineSource { descriptors.append(pollfd(fd: lineSource.descriptor, events: Int16(POLLIN), revents: 0)) }

            let wake = [deadline, connections.earliestDeadline, acceptResumes].compactMap { $0 }.min()
            let ready = poll(&descriptors, nfds_t(descriptors.count), wake.map { Self.milliseconds(from: now, to: $0) } ?? -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .system("poll: \(errnoText())")
            }
            guard ready > 0 else { continue }
            now = clock.now

            for (offset, connection) in polled.enumerated() where descriptors[listenerCount + offset].revents != 0 {
                guard let request = connections.advance(connection.descriptor, now: now) else { continue }
                guard LoopbackPeer.isTrusted(connection.descriptor) else {
                    connections.respond(connection.descriptor, with: Self.serialize(Self.otherUser), now: clock.now)
                    continue
                }
                let started = clock.now
                let (response, value) = handle(request)
                // Connections that could not be read while the handler ran get that time back.
                connections.postponeDeadlines(by: started.duration(to: clock.now))
                connections.respond(connection.descriptor, with: Self.serialize(response), now: clock.now)
                if let value {
                    connections.finish(connection.descriptor, within: .seconds(1))
                    return value
                }
            }
            if let lineSource, descriptors[descriptors.count - 1].revents != 0 {
                for line in lineSource.readLines() {
                    if let value = onLine(line) { return value }
                }
            }
            for index in 0..<listenerCount where descriptors[index].revents != 0 {
                if !connections.accept(from: descriptors[index].fd, now: now) {
                    acceptResumes = now.advanced(by: .milliseconds(100))
                }
            }
        }
    }

    /// Milliseconds for `poll` from `now` until `instant`, rounded up so that a wake-up is never early.
    private static func milliseconds(from now: ContinuousClock.Instant, to instant: ContinuousClock.Instant) -> Int32 {
        let remaining = now.duration(to: instant)
        guard remaining > .zero else { return 0 }
        let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(min(milliseconds, Int64(Int32.max)))
    }

    /// The answer to a process of another user (`LoopbackPeer`).
    static let otherUser = Response(
        status: "403 Forbidden", contentType: "text/plain; charset=utf-8",
        body: Array("maws answers only its own user's programs.\n".utf8))

    static func serialize(_ response: Response) -> [UInt8] {
        var head =
            "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
            + "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n"
            + "Content-Security-Policy: \(response.contentSecurityPolicy)\r\nX-Frame-Options: DENY\r\nConnection: close\r\n"
        // A header value never carries a line break or another control character (a Location from a
        // discovery document must not split the response).
        for (name, value) in response.headers where !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            head += "\(name): \(value)\r\n"
        }
        return Array((head + "\r\n").utf8) + response.body
    }

    /// The request line and header fields of a request head; a malformed line gives method "".
    static func parse(head: String) -> Request {
        let lines = head.split(whereSeparator: \.isNewline)
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].trimmingLineWhitespace())
        }
        guard requestLine.count == 3 else { return Request(method: "", target: "", headers: headers) }
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers)
    }

    /// The request head in `buffer` once its terminating blank line has arrived.
    static func requestHead(_ buffer: [UInt8], searchingFrom start: Int = 0) -> String? {
        headLength(buffer, searchingFrom: start).map { String(decoding: buffer[..<($0 - 4)], as: UTF8.self) }
    }

    /// The length of the request head in `buffer`, its terminating blank line included.
    static func headLength(_ buffer: [UInt8], searchingFrom start: Int = 0) -> Int? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4 else { return nil }
        for index in min(max(start, 0), buffer.count - 4)...(buffer.count - 4) where buffer[index..<(index + 4)].elementsEqual(terminator) {
            return index + 4
        }
        return nil
    }

    /// Compares secrets (state, bearer tokens) in time independent of where they differ.
    package static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// The server's open connections: each reads its request head, then writes its answer, then closes.
private struct ConnectionTable {
    struct Connection {
        let descriptor: Int32
        let accepted: ContinuousClock.Instant
        var deadline: ContinuousClock.Instant
        var input: [UInt8] = []
        /// The request once its head is read, while its body (`Content-Length` bytes) arrives.
        var pending: LoopbackHTTPServer.Request?
        var bodyLength = 0
        /// The answer still to send; nil while the head is being read.
        var output: [UInt8]?
        var sent = 0
    }

    let limits: LoopbackHTTPServer.Limits
    private var connections: [Int32: Connection] = [:]

    init(limits: LoopbackHTTPServer.Limits) {
        self.limits = limits
    }

    var descriptors: [(descriptor: Int32, writing: Bool)] {
        connections.values.map { ($0.descriptor, $0.output != nil) }
    }

    var earliestDeadline: ContinuousClock.Instant? {
        connections.values.map(\.deadline).min()
    }

    mutating func postponeDeadlines(by duration: Duration) {
        for descriptor in connections.keys { connections[descriptor]!.deadline = connections[descriptor]!.deadline.advanced(by: duration) }
    }

    mutating func closeExpired(at now: ContinuousClock.Instant) {
        for connection in connections.values where connection.deadline <= now {
            close(connection.descriptor)
        }
    }

    /// Accepts every waiting connection. Returns false when the process is out of descriptors and
    /// none could be freed, so the caller pauses accepting for a moment.
    mutating func accept(from listener: Int32, now: ContinuousClock.Instant) -> Bool {
        // Bounded, so connections already accepted get read between bursts.
        for _ in 0..<(limits.connections * 2) {
            let client = Glibc.accept(listener, nil, nil)
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    if dropOldestSilent() { continue }
                    return false
                default:  // EAGAIN: nothing more waiting.
                    return true
                }
            }
            // accept4 would set both flags at once, but Swift sees it only with _GNU_SOURCE.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            if connections.count >= limits.connections { _ = dropOldestSilent() }
            connections[client] = Connection(descriptor: client, accepted: now, deadline: now.advanced(by: limits.headTimeout))
        }
        return true
    }

    /// Reads what has arrived on `descriptor`; returns the request once its head is complete.
    mutating func advance(_ descriptor: Int32, now: ContinuousClock.Instant) -> LoopbackHTTPServer.Request? {
        guard var connection = connections[descriptor] else { return nil }
        if connection.output != nil {
            connections[descriptor] = connection
            flush(descriptor)
            return nil
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
        guard count > 0 else {
            close(descriptor)
            return nil
        }
        let searchFrom = connection.input.count - 3
        connection.input += chunk[0..<count]
        if connection.pending == nil, let headLength = LoopbackHTTPServer.headLength(connection.input, searchingFrom: searchFrom) {
            let request = LoopbackHTTPServer.parse(head: String(decoding: connection.input[..<(headLength - 4)], as: UTF8.self))
            connection.input.removeFirst(headLength)
            guard let length = Self.bodyLength(request), length <= limits.bodyBytes else {
                connections[descriptor] = connection
                refuse(descriptor, status: "413 Content Too Large", reason: "request body missing a valid length or too large", now: now)
                return nil
            }
            connection.pending = request
            connection.bodyLength = length
        }
        if var request = connection.pending {
            guard connection.input.count >= connection.bodyLength else {
                connections[descriptor] = connection
                return nil
            }
            request.body = Array(connection.input.prefix(connection.bodyLength))
            connection.input = []
            connection.pending = nil
            connections[descriptor] = connection
            return request
        }
        if connection.input.count > limits.headBytes {
            connections[descriptor] = connection
            refuse(descriptor, status: "431 Request Header Fields Too Large", reason: "request head too large", now: now)
            return nil
        }
        connections[descriptor] = connection
        return nil
    }

    /// The body length `request` declares: 0 without `Content-Length` (a GET), nil when it cannot
    /// be read or the body is chunked (nothing maws serves takes one).
    static func bodyLength(_ request: LoopbackHTTPServer.Request) -> Int? {
        if request.headers["transfer-encoding"] != nil { return nil }
        guard let text = request.headers["content-length"] else { return 0 }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), text.utf8.count <= 9 else { return nil }
        return Int(text)
    }

    /// Answers a request the server will not read any further with `status` and `reason` as text.
    private mutating func refuse(_ descriptor: Int32, status: String, reason: String, now: ContinuousClock.Instant) {
        let answer = LoopbackHTTPServer.Response(status: status, contentType: "text/plain; charset=utf-8", body: Array("\(reason)\n".utf8))
        respond(descriptor, with: LoopbackHTTPServer.serialize(answer), now: now)
    }

    /// Starts sending `bytes` as the answer on `descriptor`.
    mutating func respond(_ descriptor: Int32, with bytes: [UInt8], now: ContinuousClock.Instant) {
        guard connections[descriptor] != nil else { return }
        connections[descriptor]!.output = bytes
        connections[descriptor]!.deadline = now.advanced(by: limits.writeTimeout)
        flush(descriptor)
    }

    /// Sends what the socket takes without blocking; closes the connection once all is sent.
    mutating func flush(_ descriptor: Int32) {
        guard var connection = connections[descriptor], let output = connection.output else { return }
        while connection.sent < output.count {
            let sent = output.withUnsafeBytes { buffer in
                Errno.retrying {
                    send(descriptor, buffer.baseAddress! + connection.sent, buffer.count - connection.sent, Int32(MSG_NOSIGNAL))
                }
            }
            if sent > 0 {
                connection.sent += sent
            } else if sent < 0 && errno == EAGAIN {
                connections[descriptor] = connection
                return
            } else {
                close(descriptor)
                return
            }
        }
        close(descriptor)
    }

    /// Sends the rest of the answer on `descriptor`, waiting at most `limit`: the last answer
    /// before the server stops (the browser's "signed in" page).
    mutating func finish(_ descriptor: Int32, within limit: Duration) {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: limit)
        while connections[descriptor] != nil, clock.now < end {
            var waiter = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            _ = poll(&waiter, 1, 100)
            flush(descriptor)
        }
    }

    /// Drops the connection that has waited longest without sending anything (nothing read, and
    /// nothing waiting to be read), else the oldest one still sending its request head.
    mutating func dropOldestSilent() -> Bool {
        let reading = connections.values.filter { $0.output == nil }.sorted { $0.accepted < $1.accepted }
        let silent = reading.first { connection in
            var byte: UInt8 = 0
            return connection.input.isEmpty && recv(connection.descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) < 0
        }
        guard let oldest = silent ?? reading.first else { return false }
        close(oldest.descriptor)
        return true
    }

    mutating func close(_ descriptor: Int32) {
        connections[descriptor] = nil
        _ = Glibc.close(descriptor)
    }

    mutating func closeAll() {
        for descriptor in connections.keys { close(descriptor) }
    }
}

package enum LoopbackServerError: MawsError, Equatable {
    /// No port of the list is free on both loopback addresses.
    case noFreePort([UInt16])
    case system(String)
    case timedOut(Duration)

    package var description: String {
        switch self {
        case .noFreePort(let ports):
            let tried = ports == [0] ? "" : " (tried \(ports.map(String.init).joined(separator: ", ")))"
            return "no port is free on both 127.0.0.1 and [::1]\(tried); find what holds them with `ss -ltnp` and retry"
        case .system(let reason):
            return "cannot listen on the loopback addresses: \(reason)"
        case .timedOut(let timeout):
            return "nothing asked for the local address within \(timeout.components.seconds) s"
        }
    }
}
