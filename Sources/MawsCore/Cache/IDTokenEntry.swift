#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token endpoint's answer for one (IdP, client): the verified ID token and its claims, and
/// the refresh token. Keyed by the well-known URL, so the warm path finds it without the
/// discovery document; the issuer it was verified against is kept inside.
public struct IDTokenEntry: Codable, Sendable {
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
