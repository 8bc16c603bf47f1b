#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A successful token endpoint answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
package struct TokenResponse: Codable, Sendable, Equatable {
    package var idToken: String
    package var accessToken: String?
    package var refreshToken: String?
    package var expiresIn: Int?
    package var tokenType: String?

    enum CodingKeys: String, CodingKey {
        case idToken = "id_token"
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresIn = "expires_in"
        case tokenType = "token_type"
    }

    /// Posts `fields` to the token endpoint and reads the answer, OAuth error fields included.
    package static func request(_ endpoint: EndpointURL, fields: [(String, String)], http: HTTPClient) throws -> TokenResponse {
        let response = try http.send(.postForm(endpoint, fields))
        guard response.isSuccess else {
            struct OAuthError: Decodable {
                var error: String
                var error_description: String?
            }
            let oauthError = try? JSONReader.decode(OAuthError.self, from: response.body)
            throw OIDCError.tokenEndpoint(status: response.status, error: oauthError?.error, description: oauthError?.error_description)
        }
        do {
            return try JSONReader.decode(TokenResponse.self, from: response.body)
        } catch JSONReadError.missingKey(let key) {
            throw OIDCError.invalidTokenResponse("it has no '\(key)'; check that scope includes openid")
        } catch JSONReadError.tooDeep {
            throw OIDCError.invalidTokenResponse(JSONReadError.tooDeep(limit: JSONReader.maximumDepth).description)
        } catch {
            // The body may hold tokens: describe it, never quote it.
            throw OIDCError.invalidTokenResponse("it is not the JSON token response OAuth 2.0 defines")
        }
    }
}
