import Glibc

/// Who is at the other end of a loopback connection: the user owning the client's socket, from
/// the kernel's socket tables (`/proc/net/tcp`, `/proc/net/tcp6`).
///
/// Any local user can connect to a loopback port. maws's one-time browser address, its redirect
/// listener and its credentials endpoint are for the person's own programs (their browser, their
/// SDK), so a request from another user's process is refused before it is answered: reading the
/// one-time address off the browser's argument list and fetching it first gains nothing.
enum LoopbackPeer {
    enum Owner: Equatable {
        case user(uid_t)
        /// The client's socket is not in the tables (it has gone already).
        case notFound
        /// The tables cannot be read here; nothing can be checked.
        case unknown
    }

    /// Whether the client of `descriptor` may be answered: this process's user, or root (who can
    /// read everything maws holds anyway). A machine without readable socket tables is allowed.
    static func isTrusted(_ descriptor: Int32) -> Bool {
        switch owner(of: descriptor) {
        case .user(let uid): return uid == geteuid() || uid == 0
        case .notFound: return false
        case .unknown: return true
        }
    }

    static func owner(of descriptor: Int32) -> Owner {
        guard let client = address(descriptor, peer: true), let server = address(descriptor, peer: false) else { return .unknown }
        guard let table = readTable(client.family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp") else { return .unknown }
        // The client's socket is the row whose local end is the client and remote end is us. Read
        // as bytes, and only as far as the uid column: a busy machine's table has thousands of rows.
        let clientText = Array(client.text.utf8)
        let serverText = Array(server.text.utf8)
        for line in table.split(separator: UInt8(ascii: "\n")).dropFirst() {
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 8, omittingEmptySubsequences: true)
            guard fields.count > 7, fields[1].elementsEqual(clientText), fields[2].elementsEqual(serverText),
                let uid = UInt32(String(decoding: fields[7], as: UTF8.self))
            else { continue }
            return .user(uid_t(uid))
        }
        return .notFound
    }

    /// An endpoint as the tables print it: the address as the kernel's native words in hex, a
    /// colon, the port in hex (`0100007F:2A30` for 127.0.0.1:10800 on a little-endian machine).
    private static func address(_ descriptor: Int32, peer: Bool) -> (family: Int32, text: String)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(descriptor, $0, &length) : getsockname(descriptor, $0, &length)
            }
        }
        guard status == 0 else { return nil }
        func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            return (AF_INET, hex(address.sin_addr.s_addr, digits: 8) + ":" + hex(UInt16(bigEndian: address.sin_port), digits: 4))
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            let words = withUnsafeBytes(of: address.sin6_addr) { bytes in
                (0..<4).map { hex(bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self), digits: 8) }.joined()
            }
            return (AF_INET6, words + ":" + hex(UInt16(bigEndian: address.sin6_port), digits: 4))
        default:
            return nil
        }
    }

    private static func readTable(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let bytes = FileDescriptor.readToEnd(descriptor).bytes
        return bytes.isEmpty ? nil : bytes
    }
}
