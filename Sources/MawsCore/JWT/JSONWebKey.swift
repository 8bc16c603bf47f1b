#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON Web Key (RFC 7517), as far as maws reads it.
package struct JSONWebKey: Codable, Sendable, Equatable {
    package var kty: String
    package var kid: String?
    package var use: String?
    package var alg: String?
    package var n: String?
    package var e: String?

    package init(kty: String, kid: String? = nil, use: String? = nil, alg: String? = nil, n: String? = nil, e: String? = nil) {
        self.kty = kty
        self.kid = kid
        self.use = use
        self.alg = alg
        self.n = n
        self.e = e
    }

    /// Whether this key may be used to check an RS256 signature.
    var isRS256SigningKey: Bool {
        kty == "RSA" && (use == nil || use == "sig") && (alg == nil || alg == "RS256")
    }
}
