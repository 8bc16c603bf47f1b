#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The IdP's discovery document and keys, refetched after a day or on an unknown key id.
public struct ProviderEntry: Codable, Sendable {
    public var wellKnownURL: String
    public var metadata: ProviderMetadata
    /// The JWKS document as fetched (JSON text).
    public var keys: String
    public var fetchedAt: Date

    public static let lifetime: TimeInterval = 86_400

    static func name(wellKnownURL: String) -> String {
        CacheDirectory.fileName(kind: .provider, key: [wellKnownURL])
    }
}

/// The token endpoint's answer for one (IdP, client): the verified ID token and its claims, and
/// the refresh token. Keyed by the well-known URL, so the warm path finds it without the
/// discovery document; the issuer it was verified against is kept inside.
public struct SessionEntry: Codable, Sendable {
    public var wellKnownURL: String
    public var issuer: String
    public var clientID: String
    public var idToken: String
    public var claims: IDTokenClaims
    public var refreshToken: String?
    public var savedAt: Date

    /// An ID token is reused while it has more than this left.
    public static let minimumRemaining: TimeInterval = 300

    func isUsable(at now: Date) -> Bool {
        claims.exp.timeIntervalSince(now) > Self.minimumRemaining
    }

    static func name(wellKnownURL: String, clientID: String) -> String {
        CacheDirectory.fileName(kind: .session, key: [wellKnownURL, clientID])
    }
}

/// What the roles API answered for one person, kept for an hour.
public struct RolesEntry: Codable, Sendable {
    public var url: String
    public var issuer: String
    public var subject: String
    public var roles: [String]
    public var aliases: [String: [String]]
    public var fetchedAt: Date

    public static let lifetime: TimeInterval = 3600

    static func name(url: String, issuer: String, subject: String) -> String {
        CacheDirectory.fileName(kind: .roles, key: [url, issuer, subject])
    }
}

/// STS credentials for (issuer, client, subject, role), reused until 5 minutes before they expire.
public struct CredentialsEntry: Codable, Sendable {
    public var issuer: String
    public var clientID: String
    public var subject: String
    public var role: String
    public var credentials: AWSCredentials
    public var assumedRoleARN: String
    public var durationSeconds: Int
    public var promptName: String

    public static let minimumRemaining: TimeInterval = 300

    func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > Self.minimumRemaining
    }

    static func name(issuer: String, clientID: String, subject: String, role: String) -> String {
        CacheDirectory.fileName(kind: .credentials, key: [issuer, clientID, subject, role])
    }
}
