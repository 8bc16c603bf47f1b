import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The services maws talks to, in memory, behind the `HTTPClient` seam: an identity provider
/// (discovery, JWKS, the refresh grant), the roles API, and STS and IAM's Query API. Tests script
/// the answers and read back every request, the way aws-vault tests its commands with an in-memory
/// keyring: the flow under test runs as it does for real, only the network is not there.
package final class InMemoryServices: HTTPClient, @unchecked Sendable {
    package static let issuer = "https://idp.example.com"
    package static let clientID = "maws-client"
    package static let rolesURL = "https://roles.example.com/roles"
    package static let sts = "https://sts.example.com/"
    package static let account = "123456789012"

    /// What a test changes and reads. Every field is guarded by the services' lock.
    package struct State: Sendable {
        /// Every request so far, as "METHOD URL Action-or-grant".
        package var requests: [String] = []
        package var refreshWorks = true
        /// False: the IdP's host refuses connections.
        package var identityProviderUp = true
        /// The subject of the next ID token the token endpoint or `mintIDToken` issues.
        package var subject = "alice"
        package var roles = ["arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/ReadOnly"]
        package var aliases = ["123456789012": ["yoyodyne"]]
        /// AssumeRoleWithWebIdentity refuses longer sessions, as a role's MaxSessionDuration does.
        package var maxSessionDuration = 43200
        /// How many of the next AssumeRoleWithWebIdentity calls answer ExpiredTokenException.
        package var expiredTokenAnswers = 0
        /// The signed calls (IAM user keys): GetSessionToken needs this code when a device is named.
        package var mfaCode = "123456"
        /// What ListMFADevices lists.
        package var mfaDevices = ["arn:aws:iam::123456789012:mfa/alice"]
        /// The user's access keys, as CreateAccessKey and DeleteAccessKey change them.
        package var accessKeys = ["AKIAOLDKEY0000000000"]
        /// GetCallerIdentity refuses this many calls first, as IAM does while a new key propagates.
        package var newKeyWorksAfter = 0
        package var callerIdentityCalls = 0
    }

    private let signingKey: Locked<TestRSAKey>
    /// The key the IdP signs with and publishes now.
    package var key: TestRSAKey { signingKey.withLock { $0 } }
    package let state = Locked(State())
    private let counter = Locked(0)

    /// Keys shared by every test: making an RSA key takes longer than a test.
    private static let sharedKey = Result { try TestRSAKey(kid: "in-memory") }
    private static let rotatedKey = Result { try TestRSAKey(kid: "in-memory-rotated") }

    package init() throws {
        signingKey = Locked(try Self.sharedKey.get())
    }

    /// The IdP rotates its signing key: tokens carry a new kid and the JWKS lists only the new key.
    package func rotateSigningKey() throws {
        let rotated = try Self.rotatedKey.get()
        signingKey.withLock { $0 = rotated }
    }

    package var requests: [String] { state.withLock { $0.requests } }

    /// How many requests so far match `fragment`.
    package func count(_ fragment: String) -> Int { requests.filter { $0.contains(fragment) }.count }

    /// An ID token for the current subject, as the IdP would sign it.
    package func mintIDToken(nonce: String?, lifetime: TimeInterval = 3600) throws -> String {
        let subject = state.withLock { $0.subject }
        let now = Date().timeIntervalSince1970.rounded()
        var claims: [String: JSONValue] = [
            "iss": .string(Self.issuer), "sub": .string(subject), "aud": .string(Self.clientID),
            "exp": .number(now + lifetime), "iat": .number(now), "email": .string("\(subject)@example.com"),
            "amr": .array([.string("team-ops")]),
        ]
        if let nonce { claims["nonce"] = .string(nonce) }
        let key = self.key
        return try TestJWT(header: ["alg": .string("RS256"), "kid": .string(key.kid), "typ": .string("JWT")], claims: claims)
            .signed(with: key)
    }

    /// The browser sign-in as a person completes it: an ID token for the current subject with the
    /// request's nonce, and a refresh token. Logged as "browser sign-in".
    package func browserSignIn() throws -> BrowserSignIn.Outcome {
        state.withLock { $0.requests.append("browser sign-in") }
        let request = AuthorizationRequest(
            clientID: Self.clientID, scope: "openid", redirectURI: "http://127.0.0.1:10800/",
            state: "state", nonce: "nonce-\(counter.withLock { $0 })", pkce: try PKCE.generate())
        let answer: [String: String] = [
            "id_token": try mintIDToken(nonce: request.nonce), "refresh_token": "refresh-1",
            "token_type": "Bearer", "access_token": "access",
        ]
        let tokens = try JSONReader.decode(TokenResponse.self, from: try JSONWriter.encode(answer, as: .compact))
        return BrowserSignIn.Outcome(tokens: tokens, request: request)
    }

    package func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let form = Dictionary(
            (request.body.flatMap { FormEncoding.decode(Substring(decoding: $0, as: UTF8.self)) } ?? []),
            uniquingKeysWith: { first, _ in first })
        let url = request.url.string
        let duration = form["DurationSeconds"].map { " DurationSeconds=" + $0 } ?? ""
        state.withLock { $0.requests.append("\(request.method.rawValue) \(url) \(form["Action"] ?? form["grant_type"] ?? "")\(duration)") }
        if url.hasPrefix(Self.issuer), !state.withLock({ $0.identityProviderUp }) {
            throw .connect(host: "idp.example.com", reason: "Connection refused")
        }
        do {
            switch url {
            case Self.issuer + "/.well-known/openid-configuration": return try discovery()
            case Self.issuer + "/jwks": return try json(["keys": [try key.jwk]])
            case Self.issuer + "/token": return try token(form)
            case Self.rolesURL:
                let (roles, aliases) = state.withLock { ($0.roles, $0.aliases) }
                return try json(RolesAnswer(roles: roles, aliases: aliases))
            case Self.sts: return query(form)
            default: return HTTPResponse(status: 404)
            }
        } catch {
            return HTTPResponse(status: 500, body: Data("\(error)".utf8))
        }
    }

    private struct RolesAnswer: Encodable {
        var roles: [String]
        var aliases: [String: [String]]
    }

    private func discovery() throws -> HTTPResponse {
        try json([
            "issuer": Self.issuer, "authorization_endpoint": Self.issuer + "/authorize", "token_endpoint": Self.issuer + "/token",
            "jwks_uri": Self.issuer + "/jwks",
        ])
    }

    private func token(_ form: [String: String]) throws -> HTTPResponse {
        guard form["grant_type"] == "refresh_token", state.withLock({ $0.refreshWorks }) else {
            return try json(["error": "invalid_grant"], status: 400)
        }
        return try json([
            "id_token": try mintIDToken(nonce: nil), "refresh_token": "refresh-2", "token_type": "Bearer",
            "access_token": "access",
        ])
    }

    /// STS and IAM over the Query protocol: enough of each action for maws's flows.
    private func query(_ form: [String: String]) -> HTTPResponse {
        let action = form["Action"] ?? ""
        switch action {
        case "AssumeRoleWithWebIdentity":
            let duration = Int(form["DurationSeconds"] ?? "") ?? 3600
            let (maximum, expired) = state.withLock { state -> (Int, Bool) in
                defer { if state.expiredTokenAnswers > 0 { state.expiredTokenAnswers -= 1 } }
                return (state.maxSessionDuration, state.expiredTokenAnswers > 0)
            }
            if expired { return error("ExpiredTokenException", "Token is expired") }
            if duration > maximum {
                return error("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
            }
            return success(
                action,
                credentials(duration: duration)
                    + "<AssumedRoleUser><Arn>arn:aws:sts::\(Self.account):assumed-role/Admin/alice</Arn></AssumedRoleUser>")
        case "AssumeRole":
            return success(
                action,
                credentials(duration: Int(form["DurationSeconds"] ?? "") ?? 3600)
                    + "<AssumedRoleUser><Arn>arn:aws:sts::\(Self.account):assumed-role/R/\(form["RoleSessionName"] ?? "")</Arn></AssumedRoleUser>"
            )
        case "GetSessionToken":
            if form["SerialNumber"] != nil, form["TokenCode"] != state.withLock({ $0.mfaCode }) {
                return error("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
            }
            return success(action, credentials(duration: Int(form["DurationSeconds"] ?? "") ?? 43200))
        case "GetCallerIdentity":
            let refuse = state.withLock { state -> Bool in
                state.callerIdentityCalls += 1
                return state.callerIdentityCalls <= state.newKeyWorksAfter
            }
            if refuse { return error("InvalidClientTokenId", "The security token included in the request is invalid.") }
            return success(
                action, "<Account>\(Self.account)</Account><Arn>arn:aws:iam::\(Self.account):user/alice</Arn><UserId>AIDA1</UserId>")
        case "ListMFADevices":
            let members = state.withLock { $0.mfaDevices }.map { "<member><SerialNumber>\($0)</SerialNumber></member>" }
            return success(action, "<MFADevices>\(members.joined())</MFADevices>")
        case "CreateAccessKey":
            let id = state.withLock { state -> String in
                let id = "AKIANEWKEY" + Self.padded(state.accessKeys.count, to: 10)
                state.accessKeys.append(id)
                return id
            }
            return success(
                action, "<AccessKey><AccessKeyId>\(id)</AccessKeyId><SecretAccessKey>new/secret+\(id)</SecretAccessKey></AccessKey>")
        case "DeleteAccessKey":
            state.withLock { state in state.accessKeys.removeAll { $0 == form["AccessKeyId"] } }
            return success(action, "")
        case "ListRoles":
            return success(action, "<Roles/><IsTruncated>false</IsTruncated>")
        case "ListAccountAliases":
            return success(action, "<AccountAliases><member>yoyodyne</member></AccountAliases>")
        default:
            return error("InvalidAction", "unknown action \(action)")
        }
    }

    private func credentials(duration: Int) -> String {
        let serial = counter.withLock { count -> Int in
            count += 1
            return count
        }
        let expiration = ISO8601.format(Date().addingTimeInterval(TimeInterval(duration)))
        return "<Credentials><AccessKeyId>ASIATEMPORARY\(Self.padded(serial, to: 7))</AccessKeyId>"
            + "<SecretAccessKey>secret/\(serial)</SecretAccessKey><SessionToken>token+\(serial)</SessionToken>"
            + "<Expiration>\(expiration)</Expiration></Credentials>"
    }

    private static func padded(_ number: Int, to width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func success(_ action: String, _ body: String) -> HTTPResponse {
        HTTPResponse(status: 200, body: Data("<\(action)Response><\(action)Result>\(body)</\(action)Result></\(action)Response>".utf8))
    }

    private func error(_ code: String, _ message: String) -> HTTPResponse {
        HTTPResponse(
            status: 400, body: Data("<ErrorResponse><Error><Code>\(code)</Code><Message>\(message)</Message></Error></ErrorResponse>".utf8))
    }

    private func json<Value: Encodable>(_ value: Value, status: Int = 200) throws -> HTTPResponse {
        HTTPResponse(status: status, body: Data(try JSONWriter.encode(value, as: .compact)))
    }
}
