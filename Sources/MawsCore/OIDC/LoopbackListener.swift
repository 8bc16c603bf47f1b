#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The browser's answer to an authorization request, as delivered to the redirect URI.
public enum AuthorizationResponse: Sendable, Equatable {
    case code(String)
    case error(code: String, description: String?)
}

/// The redirect target of the sign-in (RFC 8252 §7.3): a tiny HTTP server on 127.0.0.1 only.
///
/// It serves exactly one useful request, `GET /redirect_uri` carrying this sign-in's `state`.
/// Anything else (favicon fetches, a stale tab, a request with someone else's state) gets a 404
/// or 400 and the wait goes on. Connections are multiplexed with `poll`, so a browser's idle
/// pre-connect cannot hold up the real redirect.
public final class LoopbackListener {
    /// The ports registered with the IdP application, tried in order (the Mozilla contract).
    public static let registeredPorts: [UInt16] = [10800, 10801, 20800, 20801, 30800, 30801, 40800, 40801, 50800, 50801, 60800, 60801]
    public static let redirectPath = "/redirect_uri"

    public let port: UInt16
    private let socket: Int32

    public var redirectURI: String { "http://localhost:\(port)\(Self.redirectPath)" }

    /// Binds the first free port of `ports` on 127.0.0.1.
    public init(ports: [UInt16] = LoopbackListener.registeredPorts) throws(OIDCError) {
        for port in ports {
            let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw .listener("socket: \(Self.errnoText())") }
            // Lets a new run reuse a port whose last connection is in TIME_WAIT. On Linux this does
            // not allow binding over another listening socket, so a busy port is still skipped.
            var reuse: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound == 0, listen(descriptor, 16) == 0 {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                self.socket = descriptor
                self.port = port
                return
            }
            close(descriptor)
        }
        throw .noFreePort(ports: ports)
    }

    deinit {
        close(socket)
    }

    /// Serves requests until one carries `state` with a code or an error, or `timeout` passes.
    public func waitForRedirect(state: String, timeout: Duration) throws(OIDCError) -> AuthorizationResponse {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var connections: [Connection] = []
        defer { connections.forEach { close($0.descriptor) } }

        while true {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { throw .timedOut(seconds: Int(timeout.components.seconds)) }
            var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
                + connections.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1, 1000))
            let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .listener("poll: \(Self.errnoText())")
            }
            // Drop connections that have been idle too long (pre-connects that never send).
            let now = clock.now
            var index = connections.count - 1
            while index >= 0 {
                let revents = descriptors[index + 1].revents
                if revents != 0, let result = read(connection: &connections[index], state: state) {
                    return result
                }
                if connections[index].finished || now - connections[index].opened > .seconds(30) {
                    close(connections[index].descriptor)
                    connections.remove(at: index)
                }
                index -= 1
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                while connections.count < 32 {
                    let client = accept(socket, nil, nil)
                    guard client >= 0 else { break }
                    _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                    connections.append(Connection(descriptor: client, opened: clock.now))
                }
            }
        }
    }

    private struct Connection {
        var descriptor: Int32
        var opened: ContinuousClock.Instant
        var buffer: [UInt8] = []
        var finished = false
    }

    /// Reads what is available; once the request head is complete, answers it. Returns a result
    /// when the request was the redirect for `state`.
    private func read(connection: inout Connection, state: String) -> AuthorizationResponse? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
        if count <= 0 {
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
            connection.finished = true
            return nil
        }
        connection.buffer += chunk[0..<count]
        guard let head = Self.requestHead(connection.buffer) else {
            if connection.buffer.count > 16384 {
                respond(connection.descriptor, status: "431 Request Header Fields Too Large", page: .notFound)
                connection.finished = true
            }
            return nil
        }
        connection.finished = true
        let (status, page, result) = Self.route(head: head, state: state)
        respond(connection.descriptor, status: status, page: page)
        return result
    }

    /// Decides the answer for a request head: the HTTP status, the page, and the sign-in result if any.
    static func route(head: String, state: String) -> (String, RedirectPage, AuthorizationResponse?) {
        let requestLine = head.prefix { !$0.isNewline }.split(separator: " ")
        guard requestLine.count == 3, requestLine[0] == "GET" else {
            return ("405 Method Not Allowed", .notFound, nil)
        }
        let target = requestLine[1]
        let path = target.prefix { $0 != "?" }
        guard path == redirectPath else { return ("404 Not Found", .notFound, nil) }
        let query = target.dropFirst(path.count + (target.count > path.count ? 1 : 0))
        guard let fields = FormEncoding.decode(query) else { return ("400 Bad Request", .wrongState, nil) }
        let parameters = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        guard let returnedState = parameters["state"], constantTimeEquals(returnedState, state) else {
            return ("400 Bad Request", .wrongState, nil)
        }
        if let error = parameters["error"] {
            let description = parameters["error_description"]
            return ("200 OK", .failure(error: error, description: description), .error(code: error, description: description))
        }
        guard let code = parameters["code"], !code.isEmpty else { return ("400 Bad Request", .wrongState, nil) }
        return ("200 OK", .success, .code(code))
    }

    static func requestHead(_ buffer: [UInt8]) -> String? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4) where buffer[index..<(index + 4)].elementsEqual(terminator) {
            return String(decoding: buffer[..<index], as: UTF8.self)
        }
        return nil
    }

    private func respond(_ descriptor: Int32, status: String, page: RedirectPage) {
        let body = Array(page.html.utf8)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.count)\r\n"
            + "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n"
            + "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8) + body
        var offset = 0
        var attempts = 0
        while offset < bytes.count && attempts < 50 {
            let sent = bytes.withUnsafeMutableBytes { send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                var waiter = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&waiter, 1, 100)
                attempts += 1
            } else {
                return
            }
        }
        bytes.removeAll()
    }

    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
