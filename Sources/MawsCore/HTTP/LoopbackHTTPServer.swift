#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1, for the sign-in redirect and the container-credentials
/// endpoint. One request per connection; connections are multiplexed with `poll`, so an idle one
/// (a browser's pre-connect) never holds up the others.
public final class LoopbackHTTPServer {
    public struct Request: Sendable {
        public var method: String
        /// The path and query, as sent.
        public var target: String
        /// Header fields with lowercased names.
        public var headers: [String: String]

        public var path: Substring { target.prefix { $0 != "?" } }
    }

    public struct Response: Sendable {
        public var status: String
        public var contentType: String
        public var body: [UInt8]

        public init(status: String, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// Something besides the socket to watch, e.g. the terminal for a pasted redirect.
    public protocol LineSource: AnyObject {
        var descriptor: Int32 { get }
        var closed: Bool { get }
        func readLines() -> [String]
    }

    public let port: UInt16
    private let socket: Int32

    /// Binds the first free port of `ports` on 127.0.0.1 (0: any free port).
    public init(ports: [UInt16]) throws(LoopbackServerError) {
        for port in ports {
            let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw .system("socket: \(Self.errnoText())") }
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
            if bound == 0, listen(descriptor, 64) == 0 {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                var actual = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &actual) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
                }
                self.socket = descriptor
                self.port = UInt16(bigEndian: actual.sin_port)
                return
            }
            close(descriptor)
        }
        throw .noFreePort(ports)
    }

    deinit {
        close(socket)
    }

    /// Answers requests with `handle` until it returns a value, a line from `lines` makes
    /// `onLine` return one, or `timeout` passes (nil: never).
    public func serve<Value>(timeout: Duration?, lines: LineSource? = nil, onLine: (String) -> Value? = { _ in nil },
                             handle: (Request) -> (Response, Value?)) throws(LoopbackServerError) -> Value {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var connections: [Connection] = []
        defer { connections.forEach { close($0.descriptor) } }

        while true {
            var waitMilliseconds: Int32 = 1000
            if let deadline {
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero else { throw .timedOut(timeout!) }
                waitMilliseconds = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1, 1000))
            }
            let lineSource = lines.flatMap { $0.closed ? nil : $0 }
            var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
                + connections.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
                + (lineSource.map { [pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0)] } ?? [])
            let ready = poll(&descriptors, nfds_t(descriptors.count), waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .system("poll: \(Self.errnoText())")
            }
            let now = clock.now
            var index = connections.count - 1
            while index >= 0 {
                if descriptors[index + 1].revents != 0, let request = read(&connections[index]) {
                    let (response, value) = handle(request)
                    write(response, to: connections[index].descriptor)
                    if let value { return value }
                }
                // Drop answered connections and those idle too long (pre-connects that never send).
                if connections[index].finished || now - connections[index].opened > .seconds(30) {
                    close(connections[index].descriptor)
                    connections.remove(at: index)
                }
                index -= 1
            }
            if let lineSource, descriptors[descriptors.count - 1].revents != 0 {
                for line in lineSource.readLines() {
                    if let value = onLine(line) { return value }
                }
            }
            if descriptors[0].revents & Int16(POLLIN) != 0 {
                while connections.count < 64 {
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

    /// Reads what is available; returns the request once its head is complete.
    private func read(_ connection: inout Connection) -> Request? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
        if count <= 0 {
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
            connection.finished = true
            return nil
        }
        connection.buffer += chunk[0..<count]
        guard let head = Self.requestHead(connection.buffer) else {
            if connection.buffer.count > 16384 { connection.finished = true }
            return nil
        }
        connection.finished = true
        return Self.parse(head: head)
    }

    /// The request line and header fields of a request head; a malformed line gives method "".
    static func parse(head: String) -> Request {
        let lines = head.split(whereSeparator: \.isNewline)
        let requestLine = lines.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].trimmingINIWhitespace())
        }
        guard requestLine.count == 3 else { return Request(method: "", target: "", headers: headers) }
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers)
    }

    static func requestHead(_ buffer: [UInt8]) -> String? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4) where buffer[index..<(index + 4)].elementsEqual(terminator) {
            return String(decoding: buffer[..<index], as: UTF8.self)
        }
        return nil
    }

    private func write(_ response: Response, to descriptor: Int32) {
        let head = "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
            + "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n"
            + "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8) + response.body
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

    /// Compares secrets (state, bearer tokens) in time independent of where they differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
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

public enum LoopbackServerError: Error, Equatable, Sendable {
    case noFreePort([UInt16])
    case system(String)
    case timedOut(Duration)
}
