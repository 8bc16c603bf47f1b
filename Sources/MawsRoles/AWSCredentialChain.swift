import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The AWS credentials of the organisation's builder and API, found as the AWS SDKs find them, so
/// that the servers run with whatever identity their platform gives them:
///
/// 1. a profile named with `--profile` (its keys, from the shared files);
/// 2. `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`);
/// 3. web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (EKS, GitHub Actions), the
///    file read again at every refresh because the platform rotates it;
/// 4. the profile `AWS_PROFILE` names, or `default`, when the shared files give it keys;
/// 5. the container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS) or
///    `AWS_CONTAINER_CREDENTIALS_FULL_URI` (with `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`);
/// 6. the EC2 instance metadata service, IMDSv2 only (a session token first), unless
///    `AWS_EC2_METADATA_DISABLED=true`; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it.
///
/// Temporary credentials are fetched again 5 minutes before they expire; one refresh runs at a
/// time and the others wait for it.
package final class AWSCredentialChain: Sendable {
    package struct Resolved: Sendable {
        package var credentials: SigV4Signer.Credentials
        /// nil: long-lived keys, never refreshed.
        package var expiration: Date?
        /// Which link of the chain gave them, for logs and `/healthz` (never the keys).
        package var source: String
    }

    package static let refreshMargin: TimeInterval = 300

    private let profile: String?
    private let environment: Environment
    private let http: HTTPClient
    /// For the container endpoint: never through a proxy (its token and keys would cross it).
    private let directHTTP: HTTPClient
    /// For the instance metadata service: direct, and quick to give up where there is none.
    private let metadataHTTP: HTTPClient
    private let diagnostics: Diagnostics
    private let now: @Sendable () -> Date
    private let cached = Locked<Resolved?>(nil)
    private let refreshing = Locked(())

    package init(
        profile: String?, environment: Environment, network: NetworkSettings, diagnostics: Diagnostics,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.profile = profile
        self.environment = environment
        self.http = CurlHTTPClient(network: network)
        self.directHTTP = CurlHTTPClient(network: network.direct)
        self.metadataHTTP = CurlHTTPClient(network: network.direct, connectTimeout: 1, totalTimeout: 3)
        self.diagnostics = diagnostics
        self.now = now
    }

    /// Credentials valid for at least a few minutes more.
    package func credentials() throws -> SigV4Signer.Credentials { try resolved().credentials }

    package func resolved() throws -> Resolved {
        if let fresh = cached.withLock({ $0 }), isFresh(fresh) { return fresh }
        return try refreshing.withLock { _ in
            if let fresh = cached.withLock({ $0 }), isFresh(fresh) { return fresh }  // Another thread refreshed.
            let resolved = try resolve()
            cached.withLock { $0 = resolved }
            diagnostics.debug("AWS credentials from \(resolved.source)")
            return resolved
        }
    }

    private func isFresh(_ resolved: Resolved) -> Bool {
        resolved.expiration.map { now().addingTimeInterval(Self.refreshMargin) < $0 } ?? true
    }

    private func resolve() throws -> Resolved {
        if let profile { return try profileKeys(profile, source: "the profile \(profile)") }
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] {
            return Resolved(
                credentials: .init(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"]),
                expiration: nil, source: "the environment (AWS_ACCESS_KEY_ID)")
        }
        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], let role = environment["AWS_ROLE_ARN"] {
            return try webIdentity(tokenFile: tokenFile, role: role)
        }
        let selected = AWSProfiles.selected(nil, environment: environment)
        if let keys = try? profileKeys(selected, source: "the profile \(selected)") { return keys }
        if let container = try ContainerCredentialsSource(environment: environment) {
            let credentials = try container.fetch(http: directHTTP)
            return Resolved(credentials: credentials.signing, expiration: credentials.expiration, source: "the container endpoint")
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            let metadata = try InstanceMetadataSource(environment: environment)
            // Off EC2 nothing answers there: that is the end of the chain, not an error of its own.
            if let credentials = try metadata.fetch(http: metadataHTTP) {
                return Resolved(
                    credentials: credentials.signing, expiration: credentials.expiration, source: "the instance metadata service")
            }
        }
        throw AWSChainError.noCredentials
    }

    private func profileKeys(_ name: String, source: String) throws -> Resolved {
        let keys = try UserSessions.keys(profile: name, environment: environment) {
            try UserSessions(environment: environment, http: http, diagnostics: diagnostics, mfaCode: nil)
        }
        return Resolved(credentials: keys, expiration: nil, source: source)
    }

    private func webIdentity(tokenFile: String, role: String) throws -> Resolved {
        guard let bytes = AtomicFile.readPrivate(tokenFile, maximumBytes: 64 * 1024) ?? Self.readAny(tokenFile) else {
            throw AWSChainError.unreadable(variable: "AWS_WEB_IDENTITY_TOKEN_FILE", path: tokenFile)
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n\r\t")
        let arn: RoleARN
        do {
            arn = try RoleARN(parsing: role)
        } catch {
            throw AWSChainError.invalid(variable: "AWS_ROLE_ARN", reason: error.description)
        }
        let endpoint = try STSEndpoint.service("STS", configured: nil, global: STSEndpoint.global, environment: environment)
        let sessionName = environment["AWS_ROLE_SESSION_NAME"] ?? "maws-roles-\(Int(now().timeIntervalSince1970))"
        let assumed = try STSClient(endpoint: endpoint, http: http).assumeRoleWithWebIdentity(
            role: arn, sessionName: sessionName, webIdentityToken: token, durationSeconds: 3600)
        return Resolved(
            credentials: assumed.credentials.signing, expiration: assumed.credentials.expiration, source: "web identity (\(arn))")
    }

    /// A projected service-account token is often group- or world-readable (the platform mounts
    /// it so); it is read anyway, as every SDK does.
    static func readAny(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 64 * 1024 else { return nil }
        return Array(data)
    }
}

/// The container credentials endpoint (ECS task roles, EKS Pod Identity, and `maws serve` itself).
struct ContainerCredentialsSource {
    var url: EndpointURL
    var authorization: String?

    /// The link-local addresses the AWS SDKs allow over plain HTTP besides loopback.
    static let linkLocalHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    /// nil when neither variable is set.
    init?(environment: Environment) throws {
        let text: String
        let variable: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            text = "http://169.254.170.2" + relative
            variable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            text = full
            variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
        } else {
            return nil
        }
        do {
            url = try EndpointURL(validating: text, plainHTTPAlsoTo: Self.linkLocalHosts)
        } catch {
            throw AWSChainError.invalid(variable: variable, reason: error.description)
        }
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let bytes = AWSCredentialChain.readAny(file) else {
                throw AWSChainError.unreadable(variable: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path: file)
            }
            authorization = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n\r\t")
        } else {
            authorization = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        }
        if let authorization, authorization.contains(where: { $0.isNewline }) {
            throw AWSChainError.invalid(variable: "AWS_CONTAINER_AUTHORIZATION_TOKEN", reason: "it contains a line break")
        }
    }

    func fetch(http: HTTPClient) throws -> AWSCredentials {
        var request = HTTPRequest.get(url)
        if let authorization { request.headers.append(("Authorization", authorization)) }
        let response = try http.send(request)
        guard response.isSuccess else { throw AWSChainError.containerEndpoint(url: url.string, status: response.status) }
        return try Self.credentials(in: response, from: "the container endpoint \(url.string)")
    }

    /// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`, as both endpoints answer.
    static func credentials(in response: HTTPResponse, from source: String) throws -> AWSCredentials {
        struct Answer: Decodable {
            var AccessKeyId: String
            var SecretAccessKey: String
            var Token: String?
            var Expiration: String?
        }
        guard let answer = try? JSONReader.decode(Answer.self, from: response.body) else {
            throw AWSChainError.invalid(variable: source, reason: "its answer has no AccessKeyId and SecretAccessKey")
        }
        let token = answer.Token.flatMap { $0.isEmpty ? nil : $0 }
        if let problem = AccessKeyCharacters.problem(accessKeyID: answer.AccessKeyId, secret: answer.SecretAccessKey, sessionToken: token) {
            throw AWSChainError.invalid(variable: source, reason: problem)
        }
        let expiration = answer.Expiration.flatMap(ISO8601.parse) ?? Date().addingTimeInterval(AWSCredentialChain.refreshMargin * 2)
        return AWSCredentials(
            accessKeyID: answer.AccessKeyId, secretAccessKey: answer.SecretAccessKey, sessionToken: token, expiration: expiration)
    }
}

/// The EC2 instance metadata service's credentials for the instance profile, IMDSv2 only: a PUT
/// for a session token, then the role's name and its credentials with that token.
struct InstanceMetadataSource {
    var base: String

    /// The metadata service's addresses, reached over plain HTTP like loopback.
    static let linkLocalHosts: Set<String> = ["169.254.169.254", "fd00:ec2::254", "[fd00:ec2::254]"]

    init(environment: Environment) throws {
        base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        if base.hasSuffix("/") { base.removeLast() }
        _ = try url("/")  // A bad endpoint is said before anything is sent.
    }

    func url(_ path: String) throws -> EndpointURL {
        do {
            return try EndpointURL(validating: base + path, plainHTTPAlsoTo: Self.linkLocalHosts)
        } catch {
            throw AWSChainError.invalid(variable: "AWS_EC2_METADATA_SERVICE_ENDPOINT", reason: error.description)
        }
    }

    /// nil when no metadata service answers (not on EC2).
    func fetch(http: HTTPClient) throws -> AWSCredentials? {
        let tokenRequest = HTTPRequest(
            method: .put, url: try url("/latest/api/token"), headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], body: [])
        guard let tokenResponse = try? http.send(tokenRequest) else { return nil }
        let token = String(decoding: tokenResponse.body, as: UTF8.self)
        guard tokenResponse.isSuccess, !token.isEmpty, !token.contains(where: { $0.isNewline }) else {
            throw AWSChainError.instanceMetadata(status: tokenResponse.status, step: "a session token")
        }
        func get(_ path: String, step: String) throws -> HTTPResponse {
            var request = HTTPRequest.get(try url(path))
            request.headers.append(("X-aws-ec2-metadata-token", token))
            let response = try http.send(request)
            guard response.isSuccess else { throw AWSChainError.instanceMetadata(status: response.status, step: step) }
            return response
        }
        let roles = try get("/latest/meta-data/iam/security-credentials/", step: "the instance profile's role")
        guard let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init),
            role.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@_-".contains($0)) })
        else {
            throw AWSChainError.instanceMetadata(status: roles.status, step: "the instance profile's role (none attached)")
        }
        let answer = try get("/latest/meta-data/iam/security-credentials/" + role, step: "the role's credentials")
        return try ContainerCredentialsSource.credentials(in: answer, from: "the instance metadata service")
    }
}

package enum AWSChainError: MawsError, Equatable {
    case noCredentials
    case unreadable(variable: String, path: String)
    case invalid(variable: String, reason: String)
    case containerEndpoint(url: String, status: Int)
    case instanceMetadata(status: Int, step: String)

    package var description: String {
        switch self {
        case .noCredentials:
            return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE and "
                + "AWS_ROLE_ARN, a profile with keys (--profile or AWS_PROFILE), or run where a container credentials endpoint is set"
        case .unreadable(let variable, let path):
            return "cannot read \(path) (from \(variable)); check that the file exists and this user may read it"
        case .invalid(let variable, let reason):
            return "\(variable) cannot be used: \(reason)"
        case .instanceMetadata(let status, let step):
            return "the instance metadata service answered HTTP \(status) when asked for \(step); "
                + "attach an instance profile with a role, or set AWS_EC2_METADATA_DISABLED=true and give credentials another way"
        case .containerEndpoint(let url, let status):
            return "the container credentials endpoint \(url) answered HTTP \(status) without usable credentials; "
                + "check the task's role and AWS_CONTAINER_AUTHORIZATION_TOKEN"
        }
    }
}
