/// Proof Key for Code Exchange (RFC 7636) with the S256 method.
package struct PKCE: Sendable, Equatable {
    /// 43 to 128 characters of base64url (§4.1); maws uses 32 random bytes, 43 characters.
    package let verifier: String
    /// base64url(SHA-256(verifier)) (§4.2).
    package let challenge: String
    package let method = "S256"

    package init(verifier: String) throws(CryptoError) {
        self.verifier = verifier
        self.challenge = Base64URL.encode(try SHA256.hash(Array(verifier.utf8)))
    }

    package static func generate() throws(CryptoError) -> PKCE {
        try PKCE(verifier: SecureRandom.token(byteCount: 32))
    }
}
