/// The browser's answer to an authorization request, as delivered to the redirect URI.
package enum AuthorizationResponse: Sendable, Equatable {
    case code(String)
    case error(code: String, description: String?)
}
