#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token endpoint's answer for one (IdP, client): the verified ID token and its claims, and
/// the refresh token. Keyed by the well-known URL, so the warm path finds it without the
/// discovery document; the issuer it was verified against is kept inside.
package struct IDTokenEntry: CacheEntry {
    package var wellKnownURL: String
    package var issuer: String
    package var clientID: String
    package var idToken: String
    package var claims: IDTokenClaims
    package var refreshToken: String?
    package var savedAt: Date

    package struct Key: Equatable, Sendable {
        package var wellKnownURL: String
        package var clientID: String
    }

    package static let kind = CacheDirectory.Kind.session
    package var key: Key { Key(wellKnownURL: wellKnownURL, clientID: clientID) }
    package static func nameParts(of key: Key) -> [String] { [key.wellKnownURL, key.clientID] }

    /// An ID token is reused while it has more than this left.
    package static let minimumRemaining: TimeInterval = 300

    /// Whether the ID token is still good for STS and the roles API (the refresh token may outlive it).
    package func isUsable(at now: Date) -> Bool {
        claims.exp.timeIntervalSince(now) > Self.minimumRemaining
    }
}
