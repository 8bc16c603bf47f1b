#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of Vault's HTTP API that maws uses (as documented for Vault 1.17): log in with a
/// JWT, read AWS credentials from the AWS secrets engine, revoke the token.
///
/// Tokens travel only in the `X-Vault-Token` header and bodies only as JSON, never in a URL. Every
/// request carries `X-Vault-Request: true` (what Vault's own clients send) and, with a namespace,
/// `X-Vault-Namespace`.
package struct VaultClient: Sendable {
    package var address: EndpointURL
    package var namespace: String?
    package var http: HTTPClient

    package init(address: EndpointURL, namespace: String?, http: HTTPClient) {
        self.address = address
        self.namespace = namespace
        self.http = http
    }

    /// A Vault token from a login.
    package struct Token: Sendable, Equatable {
        package var clientToken: String
        package var accessor: String
        /// Seconds the token lives from now.
        package var leaseDuration: Int
        package var policies: [String]
    }

    /// AWS credentials from the AWS secrets engine, with their lease.
    package struct AWSSecret: Sendable, Equatable {
        package var credentials: AWSCredentials
        package var leaseID: String
        /// The assumed role's ARN (`assumed_role` roles only).
        package var arn: String?
        /// True for an IAM user's keys (`iam_user` roles): no session token, and AWS may refuse
        /// them for a few seconds while IAM catches up.
        package var isIAMUser: Bool { credentials.sessionToken == nil }
    }

    /// `POST auth/{mount}/login` with `{"role", "jwt"}` (no role: the auth method's `default_role`).
    package func login(mount: String, role: String?, jwt: String) throws -> Token {
        let path = "auth/\(mount)/login"
        var body: [String: String] = ["jwt": jwt]
        body["role"] = role
        let answer = try send(path, body: body, token: nil, secrets: [jwt])
        struct Login: Decodable {
            struct Auth: Decodable {
                var client_token: String
                var accessor: String?
                var lease_duration: Int
                var policies: [String]?
            }
            var auth: Auth?
        }
        guard let auth = try Self.decode(Login.self, answer, path: path).auth, !auth.client_token.isEmpty else {
            throw VaultError.invalidResponse(path: path, reason: "no auth.client_token")
        }
        // The token goes into a header: anything but printable ASCII would be a header injection.
        guard auth.client_token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }), auth.client_token.utf8.count <= 4096 else {
            throw VaultError.invalidResponse(path: path, reason: "the client token holds characters a token cannot")
        }
        return Token(
            clientToken: auth.client_token, accessor: auth.accessor ?? "", leaseDuration: auth.lease_duration,
            policies: auth.policies ?? [])
    }

    /// AWS credentials for the AWS secrets engine's role `role`: `POST {mount}/sts/{role}` with
    /// `ttl`. That path serves every credential type of the role (Vault picks by the role, not the
    /// path), except for roles from before Vault 0.11, which serve IAM users only on
    /// `{mount}/creds/{role}`: maws reads that when Vault says so.
    package func awsCredentials(mount: String, role: String, ttl: Int?, token: String, now: Date) throws -> AWSSecret {
        var body: [String: String] = [:]
        body["ttl"] = ttl.map { "\($0)s" }
        var path = "\(mount)/sts/\(role)"
        let answer: HTTPResponse
        do {
            answer = try send(path, body: body, token: token, secrets: [token])
        } catch VaultError.refused(_, 400, let errors) where errors.contains(where: { $0.contains("through the sts path") }) {
            path = "\(mount)/creds/\(role)"
            answer = try send(path, body: [:], token: token, secrets: [token])
        }
        return try Self.secret(in: answer, path: path, now: now)
    }

    /// Parses the AWS secrets engine's answer: `data.access_key`, `data.secret_key`,
    /// `data.security_token` (null for IAM users), `data.arn`, and the lease (`lease_duration`, or
    /// `data.ttl` for roles without leases).
    static func secret(in answer: HTTPResponse, path: String, now: Date) throws -> AWSSecret {
        struct Secret: Decodable {
            struct Data: Decodable {
                var access_key: String
                var secret_key: String
                var security_token: String?
                var arn: String?
                var ttl: Int?
            }
            var lease_id: String?
            var lease_duration: Int?
            var data: Data?
        }
        let secret = try decode(Secret.self, answer, path: path)
        guard let data = secret.data else { throw VaultError.invalidResponse(path: path, reason: "no data") }
        let token = data.security_token.flatMap { $0.isEmpty ? nil : $0 }
        if let problem = AccessKeyCharacters.problem(accessKeyID: data.access_key, secret: data.secret_key, sessionToken: token) {
            throw VaultError.invalidResponse(path: path, reason: problem)
        }
        guard data.secret_key.utf8.count >= 16 else {
            throw VaultError.invalidResponse(path: path, reason: "the secret key is too short to be one")
        }
        let lifetime = secret.lease_duration.flatMap { $0 > 0 ? $0 : nil } ?? data.ttl ?? 0
        guard lifetime > 0 else {
            throw VaultError.invalidResponse(path: path, reason: "the credentials have no lease duration")
        }
        return AWSSecret(
            credentials: AWSCredentials(
                accessKeyID: data.access_key, secretAccessKey: data.secret_key, sessionToken: token,
                expiration: now.addingTimeInterval(TimeInterval(min(lifetime, 10 * 365 * 86400)))),
            leaseID: secret.lease_id ?? "", arn: data.arn.map { TerminalText.line($0.prefix(2048)) })
    }

    /// `POST auth/token/revoke-self`: revokes the token, its child tokens and every lease made
    /// with it (IAM users Vault created are deleted; STS credentials live on until they expire).
    package func revokeSelf(token: String) throws {
        _ = try send("auth/token/revoke-self", body: [:], token: token, secrets: [token])
    }

    // MARK: Requests

    private func send(_ path: String, body: [String: String], token: String?, secrets: [String]) throws -> HTTPResponse {
        let base = address.string.hasSuffix("/") ? String(address.string.dropLast()) : address.string
        let url = try EndpointURL(validating: "\(base)/v1/\(path)")
        var request = HTTPRequest.postJSON(url, try JSONWriter.encode(body, as: .compact))
        request.headers.append(("X-Vault-Request", "true"))
        if let namespace { request.headers.append(("X-Vault-Namespace", namespace)) }
        if let token { request.headers.append(("X-Vault-Token", token)) }
        let response = try http.send(request)
        guard response.isSuccess else {
            throw VaultError.refused(path: path, status: response.status, errors: Self.errors(in: response, hiding: secrets))
        }
        return response
    }

    /// Vault's `errors` array, each one line and shortened, with any secret of the request blanked
    /// out (a hostile server could echo it back; real tokens are far longer than the 8 bytes under
    /// which a "secret" would blank out ordinary words).
    static func errors(in response: HTTPResponse, hiding secrets: [String]) -> [String] {
        struct Errors: Decodable { var errors: [String]? }
        let errors = ((try? JSONReader.decode(Errors.self, from: response.body))?.errors ?? []).flatMap(items)
        return errors.prefix(3).map { message in
            var text = message
            for secret in secrets where secret.utf8.count >= 8 { text = text.replacing(secret, with: "[hidden]") }
            let line = TerminalText.line(text.prefix(300))
            return line.count < text.count ? line + "…" : line
        }
    }

    /// The items of a Go multierror text ("2 errors occurred:\n\t* permission denied\n\t* invalid
    /// token\n\n", how Vault often words a refusal); any other message as it is.
    static func items(_ message: String) -> [String] {
        let lines = message.split(whereSeparator: \.isNewline)
        guard let first = lines.first, first.hasSuffix("occurred:"), first.first?.isNumber == true else { return [message] }
        let items = lines.dropFirst().compactMap { line -> String? in
            let text = line.drop { $0 == "\t" || $0 == " " }
            return text.hasPrefix("* ") ? String(text.dropFirst(2)) : nil
        }
        return items.isEmpty ? [message] : items
    }

    private static func decode<Value: Decodable>(_ type: Value.Type, _ response: HTTPResponse, path: String) throws -> Value {
        do {
            return try JSONReader.decode(Value.self, from: response.body)
        } catch {
            throw VaultError.invalidResponse(path: path, reason: "\(error)")
        }
    }
}
