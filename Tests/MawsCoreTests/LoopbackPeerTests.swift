import Glibc
import Testing

@testable import MawsCore

/// A real loopback connection: the listener's accepted socket and the client's socket.
private final class Connection {
    let accepted: Int32
    let client: Int32
    let listeners: [Int32]

    init(family: Int32) throws {
        guard case .bound(let sockets) = LoopbackSockets.bind(port: 0) else { throw TestFailure("cannot listen on loopback") }
        listeners = sockets.descriptors
        let client = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        self.client = client
        var status: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = sockets.port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = sockets.port.bigEndian
            address.sin6_addr = in6addr_loopback
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard status == 0, let listener = sockets.descriptors.first(where: { SocketEndpoint(of: $0, peer: false)?.family == family })
        else { throw TestFailure("cannot connect over the loopback") }
        accepted = accept(listener, nil, nil)
    }

    deinit {
        close(accepted)
        close(client)
        for listener in listeners { close(listener) }
    }
}

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite struct LoopbackPeerTests {
    @Test func theKernelNamesTheClientsOwnerOverIPv4() throws {
        try expectOwnerFound(family: AF_INET)
    }

    @Test func theKernelNamesTheClientsOwnerOverIPv6() throws {
        try expectOwnerFound(family: AF_INET6)
    }

    private func expectOwnerFound(family: Int32) throws {
        let connection = try Connection(family: family)
        let client = try #require(SocketEndpoint(of: connection.accepted, peer: true))
        let server = try #require(SocketEndpoint(of: connection.accepted, peer: false))
        #expect(client.family == family)
        #expect(SocketDiagnostics.owner(local: client, remote: server) == .owner(geteuid()))
        #expect(LoopbackPeer.ownerFromTables(client: client, server: server) == .user(geteuid()))
        #expect(LoopbackPeer.owner(of: connection.accepted) == .user(geteuid()))
    }

    /// The query names the client's socket, not the server's: with the ends swapped it would find
    /// the server's own socket (owned by maws), and every client would pass for maws's user.
    @Test func theQueryIsForTheClientsEndNotOurs() throws {
        let connection = try Connection(family: AF_INET)
        let client = try #require(SocketEndpoint(of: connection.accepted, peer: true))
        let server = try #require(SocketEndpoint(of: connection.accepted, peer: false))
        let request = SocketDiagnostics.message(local: client, remote: server, sequence: 7)
        // inet_diag_sockid starts after the 16-byte header and 8 bytes of request: source port first.
        #expect(request.count == 72)
        #expect(UInt16(request[24]) << 8 | UInt16(request[25]) == client.port)
        #expect(UInt16(request[26]) << 8 | UInt16(request[27]) == server.port)
        #expect(Array(request[28..<32]) == client.address)
        #expect(Array(request[44..<48]) == server.address)
    }

    @Test func aSocketThatIsGoneIsNotFound() throws {
        let connection = try Connection(family: AF_INET)
        let client = try #require(SocketEndpoint(of: connection.accepted, peer: true))
        var server = try #require(SocketEndpoint(of: connection.accepted, peer: false))
        server.port = server.port == 1 ? 2 : 1  // nothing connects from the client's port to there
        #expect(SocketDiagnostics.owner(local: client, remote: server) == .noSocket)
        #expect(LoopbackPeer.ownerFromTables(client: client, server: server) == .notFound)
    }

    @Test func repliesThatAreNotAnAnswerMeanAskAnotherWay() {
        func header(length: Int, type: UInt16, sequence: UInt32) -> [UInt8] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt32(length)) { bytes += $0 }
            withUnsafeBytes(of: type) { bytes += $0 }
            withUnsafeBytes(of: UInt16(0)) { bytes += $0 }
            withUnsafeBytes(of: sequence) { bytes += $0 }
            withUnsafeBytes(of: UInt32(0)) { bytes += $0 }
            return bytes
        }
        func errorReply(_ code: Int32, sequence: UInt32 = 9) -> [UInt8] {
            var bytes = header(length: 36, type: 2, sequence: sequence)
            withUnsafeBytes(of: code) { bytes += $0 }
            return bytes + [UInt8](repeating: 0, count: 16)
        }
        #expect(SocketDiagnostics.parse(errorReply(-ENOENT), sequence: 9) == .noSocket)
        #expect(SocketDiagnostics.parse(errorReply(-EINVAL), sequence: 9) == .unavailable)
        #expect(SocketDiagnostics.parse(errorReply(-ENOENT, sequence: 8), sequence: 9) == .unavailable)
        #expect(SocketDiagnostics.parse(Array(errorReply(-ENOENT).prefix(10)), sequence: 9) == .unavailable)
        // An answer too short to hold the uid.
        #expect(
            SocketDiagnostics.parse(header(length: 40, type: 20, sequence: 9) + [UInt8](repeating: 0, count: 24), sequence: 9)
                == .unavailable)
        var answer = header(length: 16 + 72, type: 20, sequence: 9) + [UInt8](repeating: 0, count: 72)
        withUnsafeBytes(of: UInt32(1234)) { answer.replaceSubrange(80..<84, with: $0) }
        #expect(SocketDiagnostics.parse(answer, sequence: 9) == .owner(1234))
    }
}
