#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Verifies an ID token before maws uses it for anything (OpenID Connect Core §3.1.3.7):
/// RS256 only, the key chosen by `kid`, then `iss`, `aud`/`azp`, `exp`/`nbf`/`iat` and `nonce`.
package struct IDTokenVerifier: Sendable {
    package var issuer: String
    package var clientID: String
    /// The nonce sent in the authorization request; nil for tokens from a refresh grant,
    /// which carry the original nonce or none.
    package var expectedNonce: String?
    /// Allowed clock difference, each way.
    package var leeway: TimeInterval
    package var now: Date

    package init(issuer: String, clientID: String, expectedNonce: String?, leeway: TimeInterval = 300, now: Date = Date()) {
        self.issuer = issuer
        self.clientID = clientID
        self.expectedNonce = expectedNonce
        self.leeway = leeway
        self.now = now
    }

    package func verify(_ token: String, keys: JSONWebKeySet) throws(TokenError) -> IDToken {
        let jws = try CompactJWS(token)
        // The algorithm is fixed by maws, never taken from the token: this refuses "none",
        // HS256 keyed with the public key, and every other algorithm-confusion trick.
        guard jws.header.alg == "RS256" else { throw .unsupportedAlgorithm(jws.header.alg) }
        if let critical = jws.header.crit, !critical.isEmpty { throw .unsupportedCriticalHeader(critical) }

        let jwk = try keys.key(for: jws.header.kid)
        guard jwk.isRS256SigningKey else {
            throw .unusableKey(kid: jwk.kid, reason: "it is a \(jwk.kty) key with use '\(jwk.use ?? "-")' and alg '\(jwk.alg ?? "-")'")
        }
        guard let modulus = jwk.n.flatMap(Base64URL.decode), let exponent = jwk.e.flatMap(Base64URL.decode) else {
            throw .unusableKey(kid: jwk.kid, reason: "its 'n' or 'e' is missing or not base64url")
        }
        let publicKey: RSAPublicKey
        do {
            publicKey = try RSAPublicKey(modulus: Array(modulus), exponent: Array(exponent))
        } catch {
            throw .unusableKey(kid: jwk.kid, reason: error.description)
        }
        guard publicKey.bits >= RSAPublicKey.minimumBits else {
            throw .unusableKey(kid: jwk.kid, reason: "it has \(publicKey.bits) bits, fewer than \(RSAPublicKey.minimumBits)")
        }
        guard publicKey.verifyRS256(signature: jws.signature, message: jws.signingInput) else {
            throw .badSignature
        }

        let claims = try IDTokenClaims.decode(jws.payload)
        try checkClaims(claims)
        return IDToken(compact: token, claims: claims)
    }

    func checkClaims(_ claims: IDTokenClaims) throws(TokenError) {
        guard claims.iss == issuer else { throw .wrongIssuer(expected: issuer, actual: claims.iss) }
        guard claims.aud.contains(clientID) else { throw .wrongAudience(clientID: clientID, actual: claims.aud) }
        if claims.aud.count > 1 || claims.azp != nil {
            guard claims.azp == clientID else { throw .wrongAuthorizedParty(clientID: clientID, actual: claims.azp) }
        }
        guard now.timeIntervalSince(claims.exp) < leeway else { throw .expired(at: claims.exp, now: now) }
        if let nbf = claims.nbf, nbf.timeIntervalSince(now) > leeway { throw .notYetValid(until: nbf) }
        if let iat = claims.iat, iat.timeIntervalSince(now) > leeway { throw .issuedInFuture(at: iat) }
        if let expectedNonce {
            guard let nonce = claims.nonce else { throw .missingClaim("nonce") }
            guard nonce == expectedNonce else { throw .nonceMismatch }
        }
    }
}
