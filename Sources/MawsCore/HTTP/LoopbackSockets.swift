import Glibc

/// Listening sockets for one port on both loopback addresses, 127.0.0.1 and [::1].
///
/// Browsers resolve `localhost` themselves and try [::1] first, so a listener on 127.0.0.1 alone
/// would let another local process listening on [::1] at the same port receive what the browser
/// sends (an authorization code and its state). maws therefore holds the port on both addresses,
/// the IPv6 socket with `IPV6_V6ONLY` so that it does not also claim 127.0.0.1, and treats a port
/// as busy when either address is taken. A machine without an IPv6 loopback gets 127.0.0.1 alone.
struct LoopbackSockets {
    let descriptors: [Int32]
    let port: UInt16

    enum Outcome {
        case bound(LoopbackSockets)
        /// One of the two addresses is taken at this port.
        case busy
        case failed(LoopbackServerError)
    }

    /// Listens on `port` (0: a free port chosen by the kernel, the same on both addresses).
    static func bind(port: UInt16) -> Outcome {
        // With port 0 the kernel picks a port free on 127.0.0.1; it may be taken on [::1], so try again.
        for _ in 0..<(port == 0 ? 16 : 1) {
            let outcome = bindOnce(port: port)
            if case .busy = outcome, port == 0 { continue }
            return outcome
        }
        return .busy
    }

    private static func bindOnce(port: UInt16) -> Outcome {
        let v4: Int32
        switch listen(family: AF_INET, port: port) {
        case .success(let descriptor): v4 = descriptor
        case .failure(let failure): return failure.outcome
        }
        let actualPort = boundPort(v4)
        switch listen(family: AF_INET6, port: actualPort) {
        case .success(let v6):
            return .bound(LoopbackSockets(descriptors: [v4, v6], port: actualPort))
        case .failure(.unavailable):
            return .bound(LoopbackSockets(descriptors: [v4], port: actualPort))
        case .failure(let failure):
            close(v4)
            return failure.outcome
        }
    }

    func closeAll() {
        for descriptor in descriptors { close(descriptor) }
    }

    private enum Failure: Error {
        case inUse
        /// The address family or the address does not exist on this machine (no IPv6 loopback).
        case unavailable
        case system(String)

        var outcome: Outcome {
            switch self {
            case .inUse: return .busy
            case .unavailable: return .failed(.system("127.0.0.1 is not available"))
            case .system(let reason): return .failed(.system(reason))
            }
        }
    }

    /// A non-blocking, close-on-exec socket listening on the loopback address of `family`.
    private static func listen(family: Int32, port: UInt16) -> Result<Int32, Failure> {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else {
            return .failure(errno == EAFNOSUPPORT ? .unavailable : .system("socket: \(errnoText())"))
        }
        // Lets a new run reuse a port whose last connection is in TIME_WAIT. On Linux this does not
        // allow binding over another listening socket, so a busy port is still skipped.
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if family == AF_INET6 {
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            _ = inet_pton(AF_INET6, "::1", &address.sin6_addr)
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        // The backlog is the system's maximum: a burst of connections waits in the kernel's queue
        // for maws to accept (and, past its own limit, drop the oldest) rather than being refused.
        guard bound == 0, Glibc.listen(descriptor, SOMAXCONN) == 0 else {
            let code = errno
            close(descriptor)
            switch code {
            case EADDRINUSE, EACCES: return .failure(.inUse)
            case EADDRNOTAVAIL where family == AF_INET6: return .failure(.unavailable)
            default: return .failure(.system("bind: \(String(cString: strerror(code)))"))
            }
        }
        return .success(descriptor)
    }

    /// The port a socket is bound to (the kernel's choice after binding port 0).
    private static func boundPort(_ descriptor: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
