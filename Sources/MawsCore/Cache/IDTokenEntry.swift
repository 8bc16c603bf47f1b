#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token endpoint's answer for one (IdP, client): the verified ID token and its claims, and
/// the refresh token. Keyed by the well-known URL, so the warm path finds it without the
/// discovery document; the issuer it was verified against is kept inside.
package struct IDTokenEntry: CacheEntry, Equatable {
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

    /// Parsed without `JSONDecoder`: the cached-credentials path reads this file on every run.
    package static func read(_ bytes: [UInt8]) -> IDTokenEntry? {
        guard let document = CachedDocument(bytes), let wellKnownURL = document.string("wellKnownURL"),
            let issuer = document.string("issuer"), let clientID = document.string("clientID"),
            let idToken = document.string("idToken"), let claims = document.object("claims").flatMap(IDTokenClaims.init),
            let refreshToken = document.optionalString("refreshToken"), let savedAt = document.date("savedAt")
        else { return nil }
        return IDTokenEntry(
            wellKnownURL: wellKnownURL, issuer: issuer, clientID: clientID, idToken: idToken, claims: claims,
            refreshToken: refreshToken, savedAt: savedAt)
    }
}

extension IDTokenClaims {
    /// The claims as `init(from:)` reads them, from a parsed document.
    init?(_ document: CachedDocument) {
        guard let iss = document.string("iss"), let sub = document.string("sub"),
            let aud = document.string("aud").map({ [$0] }) ?? document.strings("aud"),
            let exp = document.number("exp"), let iat = document.optionalNumber("iat"), let nbf = document.optionalNumber("nbf"),
            let nonce = document.optionalString("nonce"), let azp = document.optionalString("azp")
        else { return nil }
        self.init(
            iss: iss, sub: sub, aud: aud, exp: Date(timeIntervalSince1970: exp), iat: iat.map(Date.init(timeIntervalSince1970:)),
            nbf: nbf.map(Date.init(timeIntervalSince1970:)), nonce: nonce, azp: azp,
            email: document.optionalString("email") ?? nil,
            amr: document.strings("amr"))
    }
}
