/// One authorization-code request (OpenID Connect Core §3.1.2.1): the values that bind the
/// browser's answer to this run of maws.
package struct AuthorizationRequest: Sendable {
    package var clientID: String
    package var scope: String
    package var redirectURI: String
    package var state: String
    package var nonce: String
    package var pkce: PKCE

    package init(clientID: String, scope: String, redirectURI: String, state: String, nonce: String, pkce: PKCE) {
        self.clientID = clientID
        self.scope = scope
        self.redirectURI = redirectURI
        self.state = state
        self.nonce = nonce
        self.pkce = pkce
    }

    /// A request with fresh random `state`, `nonce` and PKCE verifier.
    package static func random(clientID: String, scope: String, redirectURI: String) throws(CryptoError) -> AuthorizationRequest {
        AuthorizationRequest(
            clientID: clientID, scope: scope, redirectURI: redirectURI,
            state: try SecureRandom.token(), nonce: try SecureRandom.token(), pkce: try .generate())
    }

    /// The URL the browser opens. It carries only public values: the PKCE challenge, never the verifier.
    package func url(authorizationEndpoint: EndpointURL) -> String {
        let query = FormEncoding.encode([
            ("response_type", "code"),
            ("client_id", clientID),
            ("redirect_uri", redirectURI),
            ("scope", scope),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", pkce.challenge),
            ("code_challenge_method", pkce.method),
        ])
        let base = authorizationEndpoint.string
        return base + (base.contains("?") ? "&" : "?") + query
    }

    /// The form fields that trade the code for tokens (RFC 6749 §4.1.3 plus RFC 7636 §4.5).
    package func tokenRequestFields(code: String) -> [(String, String)] {
        [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI),
            ("client_id", clientID),
            ("code_verifier", pkce.verifier),
        ]
    }
}
