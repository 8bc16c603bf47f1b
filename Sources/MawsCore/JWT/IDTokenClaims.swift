#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ID token claims maws checks or uses (OpenID Connect Core §2).
package struct IDTokenClaims: Codable, Sendable, Equatable {
    package var iss: String
    package var sub: String
    package var aud: [String]
    package var exp: Date
    package var iat: Date?
    package var nbf: Date?
    package var nonce: String?
    package var azp: String?
    package var email: String?
    /// The person's groups: AWS passes `amr` to trust-policy conditions, so the IdP puts them there.
    package var amr: [String]?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, nonce, azp, email, amr
    }

    package init(
        iss: String, sub: String, aud: [String], exp: Date, iat: Date? = nil, nbf: Date? = nil, nonce: String? = nil,
        azp: String? = nil, email: String? = nil, amr: [String]? = nil
    ) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.nonce = nonce
        self.azp = azp
        self.email = email
        self.amr = amr
    }

    package init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decode(String.self, forKey: .sub)
        if let single = try? container.decode(String.self, forKey: .aud) {
            aud = [single]
        } else {
            aud = try container.decode([String].self, forKey: .aud)
        }
        exp = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .exp))
        iat = try container.decodeIfPresent(Double.self, forKey: .iat).map(Date.init(timeIntervalSince1970:))
        nbf = try container.decodeIfPresent(Double.self, forKey: .nbf).map(Date.init(timeIntervalSince1970:))
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        azp = try container.decodeIfPresent(String.self, forKey: .azp)
        email = try? container.decodeIfPresent(String.self, forKey: .email)
        amr = try? container.decodeIfPresent([String].self, forKey: .amr)
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(sub, forKey: .sub)
        try container.encode(aud, forKey: .aud)
        try container.encode(exp.timeIntervalSince1970, forKey: .exp)
        try container.encodeIfPresent(iat?.timeIntervalSince1970, forKey: .iat)
        try container.encodeIfPresent(nbf?.timeIntervalSince1970, forKey: .nbf)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(azp, forKey: .azp)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(amr, forKey: .amr)
    }

    static func decode(_ payload: Data) throws(TokenError) -> IDTokenClaims {
        do {
            return try JSONReader.decode(IDTokenClaims.self, from: payload)
        } catch JSONReadError.missingKey(let key) {
            throw .missingClaim(key)
        } catch JSONReadError.wrongType(let path) {
            throw .malformed("claim '\(path.first ?? "?")' has the wrong type")
        } catch JSONReadError.tooDeep {
            throw .malformed("the payload nests deeper than \(JSONReader.maximumDepth) levels")
        } catch {
            throw .malformed("the payload is not a JSON object of claims")
        }
    }
}
