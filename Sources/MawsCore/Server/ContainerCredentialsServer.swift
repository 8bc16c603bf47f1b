#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A local container-credentials endpoint, as the ECS agent provides one: every AWS SDK given
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN` asks it for
/// credentials, and asks again before they expire, so long-running programs never hold stale keys.
package final class ContainerCredentialsServer: @unchecked Sendable {
    private let server: LoopbackHTTPServer
    /// The bearer token clients must send in `Authorization`; random per server.
    package let token: String
    private let credentials: @Sendable () throws -> CredentialOutput.Handoff
    private let diagnostics: Diagnostics

    package var url: String { "http://127.0.0.1:\(server.port)/" }

    /// The variables that point an SDK at this server.
    package var environment: [(String, String)] {
        [("AWS_CONTAINER_CREDENTIALS_FULL_URI", url), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token)]
    }

    /// `credentials` is asked on every request; it should answer from the cache while it can.
    package init(diagnostics: Diagnostics, credentials: @escaping @Sendable () throws -> CredentialOutput.Handoff) throws {
        server = try LoopbackHTTPServer(ports: [0])
        token = try SecureRandom.token(byteCount: 32)
        self.credentials = credentials
        self.diagnostics = diagnostics
    }

    /// Serves until the process ends.
    package func serve() throws(LoopbackServerError) -> Never {
        try server.serve(timeout: nil) { request in (respond(to: request), nil) }
    }

    func respond(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        guard request.method == "GET" else {
            return Self.json("405 Method Not Allowed", ["message": "use GET"])
        }
        guard let presented = request.headers["authorization"],
            LoopbackHTTPServer.constantTimeEquals(presented, token) || LoopbackHTTPServer.constantTimeEquals(presented, "Bearer " + token)
        else {
            diagnostics.debug("refused a credentials request without the authorization token")
            return Self.json("403 Forbidden", ["message": "missing or wrong authorization token"])
        }
        do {
            let handoff = try credentials()
            let served = handoff.credentials
            diagnostics.debug("served credentials valid until \(ISO8601.format(served.expiration))")
            let document = [
                "AccessKeyId": served.accessKeyID,
                "SecretAccessKey": served.secretAccessKey,
                "Expiration": ISO8601.format(served.expiration),
                "AccountId": handoff.accountID,
                // botocore's container provider requires the member; an empty token is one SDKs do not send.
                "Token": served.sessionToken ?? "",
            ]
            return Self.json("200 OK", document)
        } catch {
            diagnostics.warning("cannot serve credentials: \(error)")
            return Self.json("500 Internal Server Error", ["message": "maws could not get credentials: \(error)"])
        }
    }

    static func json(_ status: String, _ object: [String: String]) -> LoopbackHTTPServer.Response {
        return .init(status: status, contentType: "application/json", body: (try? JSONWriter.encode(object, as: .compact)) ?? [])
    }
}
