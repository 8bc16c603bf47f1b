#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON Web Key (RFC 7517), as far as maws reads it.
public struct JSONWebKey: Codable, Sendable, Equatable {
    public var kty: String
    public var kid: String?
    public var use: String?
    public var alg: String?
    public var n: String?
    public var e: String?

    /// Whether this key may be used to check an RS256 signature.
    var isRS256SigningKey: Bool {
        kty == "RSA" && (use == nil || use == "sig") && (alg == nil || alg == "RS256")
    }
}
