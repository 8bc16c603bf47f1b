#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token endpoint's answer for one (IdP, client): the verified ID token and its claims, and
/// the refresh token. Keyed by the well-known URL, so the warm path finds it without the
/// discovery document; the issuer it was verified against is kept inside.
package struct IDTokenEntry: Codable, Sendable {
    package var wellKnownURL: String
    package var issuer: String
    package var clientID: String
    package var idToken: String
    package var claims: IDTokenClaims
    package var refreshToken: String?
    package var savedAt: Date

    /// An ID token is reused while it has more than this left.
    package static let minimumRemaining: TimeInterval = 300

    func isUsable(at now: Date) -> Bool {
        claims.exp.timeIntervalSince(now) > Self.minimumRemaining
    }

    static func name(wellKnownURL: String, clientID: String) -> String {
        CacheDirectory.fileName(kind: .session, key: [wellKnownURL, clientID])
    }
}
