import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds compact JWTs for tests, signed by a `TestRSAKey` or not at all.
package struct TestJWT {
    package var header: [String: JSONValue]
    package var claims: [String: JSONValue]

    package init(header: [String: JSONValue], claims: [String: JSONValue]) {
        self.header = header
        self.claims = claims
    }

    package static let issuer = "https://idp.example.com"
    package static let clientID = "maws-client"
    package static let nonce = "n-0S6_WzA2Mj"

    /// Claims of a token that passes every check at `now`.
    package static func valid(now: Date = Date(), kid: String = "test-key") -> TestJWT {
        let seconds = now.timeIntervalSince1970.rounded()
        return TestJWT(
            header: ["alg": .string("RS256"), "kid": .string(kid), "typ": .string("JWT")],
            claims: [
                "iss": .string(issuer), "sub": .string("ad|Example-LDAP|alice"), "aud": .string(clientID),
                "exp": .number(seconds + 3600), "iat": .number(seconds), "nonce": .string(nonce),
                "email": .string("alice@example.com"), "amr": .array([.string("team-ops")]),
            ])
    }

    package func signingInput() throws -> String {
        Base64URL.encode(try JSONWriter.encode(header, as: .cache)) + "." + Base64URL.encode(try JSONWriter.encode(claims, as: .cache))
    }

    package func signed(with key: TestRSAKey) throws -> String {
        let input = try signingInput()
        return input + "." + Base64URL.encode(try key.sign(Array(input.utf8)))
    }

    package func withSignature(_ signature: [UInt8]) throws -> String {
        try signingInput() + "." + Base64URL.encode(signature)
    }
}

extension JSONWebKeySet {
    package init(_ keys: [JSONWebKey]) throws {
        try self.init(json: Data(try JSONWriter.encode(["keys": keys])))
    }
}
