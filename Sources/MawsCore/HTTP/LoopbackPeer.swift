import Glibc

/// Who is at the other end of a loopback connection: the user owning the client's socket, asked
/// of the kernel (`SocketDiagnostics`), else read from its socket tables (`/proc/net/tcp`).
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
        guard let client = SocketEndpoint(of: descriptor, peer: true), let server = SocketEndpoint(of: descriptor, peer: false)
        else { return .unknown }
        // The client's socket: its local end is the client and its remote end is us.
        switch SocketDiagnostics.owner(local: client, remote: server) {
        case .owner(let uid): return .user(uid)
        case .noSocket: return .notFound
        case .unavailable: return ownerFromTables(client: client, server: server)
        }
    }

    /// The same answer from `/proc/net/tcp` or `/proc/net/tcp6`, for a kernel without sock_diag.
    static func ownerFromTables(client: SocketEndpoint, server: SocketEndpoint) -> Owner {
        guard let table = readTable(client.family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp") else { return .unknown }
        // Read as bytes, and only as far as the uid column: a busy machine's table has thousands of rows.
        let clientText = Array(client.tableText.utf8)
        let serverText = Array(server.tableText.utf8)
        for line in table.split(separator: UInt8(ascii: "\n")).dropFirst() {
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 8, omittingEmptySubsequences: true)
            guard fields.count > 7, fields[1].elementsEqual(clientText), fields[2].elementsEqual(serverText),
                let uid = UInt32(String(decoding: fields[7], as: UTF8.self))
            else { continue }
            return .user(uid_t(uid))
        }
        return .notFound
    }

    private static func readTable(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let bytes = FileDescriptor.readToEnd(descriptor).bytes
        return bytes.isEmpty ? nil : bytes
    }
}
