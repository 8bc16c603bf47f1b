#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of an OpenID Provider's discovery document maws uses (OpenID Connect Discovery §3).
package struct ProviderMetadata: Codable, Sendable, Equatable {
    package var issuer: String
    package var authorizationEndpoint: String
    package var tokenEndpoint: String
    package var jwksURI: String
    package var codeChallengeMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }

    /// Endpoints validated as URLs maws may send tokens to.
    package struct Endpoints: Sendable, Equatable {
        package var authorization: EndpointURL
        package var token: EndpointURL
        package var jwks: EndpointURL
    }

    /// Fetches and checks the document at `wellKnownURL`.
    package static func discover(_ wellKnownURL: EndpointURL, http: HTTPClient) throws -> ProviderMetadata {
        let response = try http.send(.get(wellKnownURL))
        guard response.isSuccess else {
            throw OIDCError.discovery(url: wellKnownURL.string, reason: "HTTP \(response.status)")
        }
        let metadata: ProviderMetadata
        do {
            metadata = try JSONReader.decode(ProviderMetadata.self, from: response.body)
        } catch let error as JSONReadError {
            throw OIDCError.discovery(
                url: wellKnownURL.string, reason: error == .invalid ? "it is not a JSON discovery document" : error.description)
        }
        try metadata.validate(against: wellKnownURL)
        return metadata
    }

    /// OpenID Connect Discovery §4.3: the issuer is the well-known URL minus its well-known suffix,
    /// so a document served from one place cannot claim to speak for another issuer.
    func validate(against wellKnownURL: EndpointURL) throws(OIDCError) {
        let issuerBase = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard issuerBase + "/.well-known/openid-configuration" == wellKnownURL.string else {
            throw .issuerMismatch(issuer: issuer, wellKnownURL: wellKnownURL.string)
        }
        _ = try endpoints()
        if let methods = codeChallengeMethodsSupported, !methods.contains("S256") {
            throw .pkceUnsupported(methods: methods)
        }
    }

    package func endpoints() throws(OIDCError) -> Endpoints {
        func endpoint(_ name: String, _ value: String) throws(OIDCError) -> EndpointURL {
            do {
                return try EndpointURL(validating: value)
            } catch {
                throw .insecureEndpoint(name: name, reason: error.description)
            }
        }
        return Endpoints(
            authorization: try endpoint("authorization_endpoint", authorizationEndpoint),
            token: try endpoint("token_endpoint", tokenEndpoint),
            jwks: try endpoint("jwks_uri", jwksURI))
    }

    /// Fetches the provider's signing keys.
    package func fetchKeys(http: HTTPClient) throws -> JSONWebKeySet {
        try fetchKeysWithMaxAge(http: http).keys
    }

    /// Fetches the provider's signing keys with how long the provider lets them be cached: the
    /// JWKS response's Cache-Control `max-age` in seconds (0 for `no-cache` or `no-store`), nil
    /// when it says nothing. A long-running verifier uses it to drop keys the provider withdrew.
    package func fetchKeysWithMaxAge(http: HTTPClient) throws -> (keys: JSONWebKeySet, maxAge: Int?) {
        let url = try endpoints().jwks
        let response = try http.send(.get(url))
        guard response.isSuccess else {
            throw OIDCError.keySet(url: url.string, reason: "HTTP \(response.status)")
        }
        do {
            return (try JSONWebKeySet(json: response.body), response.headers["cache-control"].flatMap(Self.maxAge(cacheControl:)))
        } catch {
            throw OIDCError.keySet(url: url.string, reason: error.description)
        }
    }

    /// The freshness lifetime a Cache-Control value gives (RFC 9111 §5.2.2), in seconds.
    static func maxAge(cacheControl: String) -> Int? {
        func trimmed(_ text: Substring) -> Substring {
            var text = text
            while text.first?.isWhitespace == true { text = text.dropFirst() }
            while text.last?.isWhitespace == true { text = text.dropLast() }
            return text
        }
        var maxAge: Int?
        for directive in cacheControl.split(separator: ",") {
            let name = trimmed(directive.prefix(while: { $0 != "=" })).lowercased()
            var value = trimmed(directive.drop(while: { $0 != "=" }).dropFirst())
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
            switch name {
            case "no-store", "no-cache":
                return 0
            case "max-age":
                if let seconds = Int(value), seconds >= 0 { maxAge = seconds }
            default:
                continue
            }
        }
        return maxAge
    }
}
