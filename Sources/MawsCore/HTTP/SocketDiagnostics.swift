import Glibc

/// One TCP socket's owner, asked of the kernel by its four-tuple over `NETLINK_SOCK_DIAG` (the
/// interface `ss` uses).
///
/// The kernel answers an exact query with a hash lookup. Reading `/proc/net/tcp` instead walks
/// every bucket of the connection table, which costs milliseconds of system time even when the
/// machine has few connections, for every connection a loopback server accepts.
///
/// The messages are laid out here byte by byte, as `linux/netlink.h` and `linux/inet_diag.h` define
/// them (host byte order except where noted).
enum SocketDiagnostics {
    enum Answer: Equatable {
        case owner(uid_t)
        /// The kernel has no such socket.
        case noSocket
        /// The query could not be made or understood (no sock_diag on this kernel, a filter in
        /// the way): another way must be tried.
        case unavailable
    }

    /// The owner of the TCP socket whose local end is `local` and remote end is `remote`.
    static func owner(local: SocketEndpoint, remote: SocketEndpoint) -> Answer {
        guard local.family == remote.family else { return .unavailable }
        let descriptor = socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkSockDiag)
        guard descriptor >= 0 else { return .unavailable }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let sequence = UInt32(truncatingIfNeeded: getpid())
        let request = message(local: local, remote: remote, sequence: sequence)
        // An unconnected netlink socket sends to the kernel (port id 0).
        let sent = request.withUnsafeBytes { bytes in Errno.retrying { send(descriptor, bytes.baseAddress, bytes.count, 0) } }
        guard sent == request.count else { return .unavailable }

        var reply = [UInt8](repeating: 0, count: 8192)
        let received = reply.withUnsafeMutableBytes { buffer in
            Errno.retrying { recv(descriptor, buffer.baseAddress, buffer.count, 0) }
        }
        guard received > 0 else { return .unavailable }
        return parse(Array(reply[..<received]), sequence: sequence)
    }

    // MARK: Messages

    private static let netlinkSockDiag: Int32 = 4  // NETLINK_SOCK_DIAG
    private static let sockDiagByFamily: UInt16 = 20  // SOCK_DIAG_BY_FAMILY
    private static let netlinkError: UInt16 = 2  // NLMSG_ERROR
    private static let requestFlag: UInt16 = 1  // NLM_F_REQUEST
    private static let headerSize = 16  // struct nlmsghdr
    private static let requestSize = 56  // struct inet_diag_req_v2
    /// `inet_diag_msg.idiag_uid`: after family, state, timer, retrans (4 bytes), the socket id (48)
    /// and expires, rqueue, wqueue (12).
    private static let uidOffset = 64

    /// `nlmsghdr` + `inet_diag_req_v2` asking for exactly one socket (no `NLM_F_DUMP`).
    static func message(local: SocketEndpoint, remote: SocketEndpoint, sequence: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerSize + requestSize)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        // nlmsghdr: length, type, flags, sequence, port id (0: the kernel fills it in).
        append(UInt32(headerSize + requestSize))
        append(sockDiagByFamily)
        append(requestFlag)
        append(sequence)
        append(UInt32(0))
        // inet_diag_req_v2: family, protocol, extensions, padding, states (all).
        bytes += [UInt8(local.family), UInt8(IPPROTO_TCP), 0, 0]
        append(UInt32.max)
        // inet_diag_sockid: the ports (network byte order), source and destination addresses
        // (16 bytes each, network byte order), interface, and the cookie ~0 ("any").
        append(local.port.bigEndian)
        append(remote.port.bigEndian)
        bytes += local.address16
        bytes += remote.address16
        append(UInt32(0))
        append(UInt32.max)
        append(UInt32.max)
        return bytes
    }

    /// The owner from the kernel's reply to request `sequence`.
    static func parse(_ reply: [UInt8], sequence: UInt32) -> Answer {
        func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T? {
            guard offset + MemoryLayout<T>.size <= reply.count else { return nil }
            return reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        }
        guard let length = load(0, as: UInt32.self), Int(length) <= reply.count, Int(length) >= headerSize,
            let type = load(4, as: UInt16.self), load(8, as: UInt32.self) == sequence
        else { return .unavailable }
        switch type {
        case netlinkError:
            // struct nlmsgerr: a negative errno. ENOENT: no socket with those ends.
            guard let code = load(headerSize, as: Int32.self) else { return .unavailable }
            return code == -ENOENT ? .noSocket : .unavailable
        case sockDiagByFamily:
            guard Int(length) >= headerSize + uidOffset + 4, let uid = load(headerSize + uidOffset, as: UInt32.self) else {
                return .unavailable
            }
            return .owner(uid_t(uid))
        default:
            return .unavailable
        }
    }
}

/// A TCP endpoint as the kernel's socket tables and diagnostics describe it.
struct SocketEndpoint: Equatable {
    var family: Int32
    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    var address: [UInt8]
    var port: UInt16

    /// The address in a 16-byte field, as `inet_diag_sockid` holds both families.
    var address16: [UInt8] { address + [UInt8](repeating: 0, count: 16 - address.count) }

    /// The local (`peer: false`) or remote end of a connected socket.
    init?(of descriptor: Int32, peer: Bool) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(descriptor, $0, &length) : getsockname(descriptor, $0, &length)
            }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            self.init(
                family: AF_INET, address: withUnsafeBytes(of: address.sin_addr) { Array($0) }, port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            self.init(
                family: AF_INET6, address: withUnsafeBytes(of: address.sin6_addr) { Array($0) }, port: UInt16(bigEndian: address.sin6_port))
        default:
            return nil
        }
    }

    init(family: Int32, address: [UInt8], port: UInt16) {
        self.family = family
        self.address = address
        self.port = port
    }

    /// As `/proc/net/tcp` prints it: the address as the kernel's native 32-bit words in hex, a
    /// colon, the port in hex (`0100007F:2A30` for 127.0.0.1:10800 on a little-endian machine).
    var tableText: String {
        func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        let words = address.withUnsafeBytes { bytes in
            (0..<address.count / 4).map { hex(bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self), digits: 8) }.joined()
        }
        return words + ":" + hex(port, digits: 4)
    }
}
