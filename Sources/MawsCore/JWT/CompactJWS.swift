#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JWS in compact serialization (`header.payload.signature`), split and decoded but not verified.
struct CompactJWS {
    struct Header: Decodable {
        var alg: String
        var kid: String?
        var typ: String?
        var crit: [String]?
    }

    var header: Header
    var payload: Data
    var signingInput: [UInt8]
    var signature: [UInt8]

    init(_ token: String) throws(TokenError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed(parts.count == 5 ? "it is encrypted (JWE); maws needs a signed token" : "expected three dot-separated parts")
        }
        guard let headerData = Base64URL.decode(parts[0]) else { throw .malformed("the header is not base64url") }
        guard let payload = Base64URL.decode(parts[1]) else { throw .malformed("the payload is not base64url") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .malformed("the signature is not base64url") }
        do {
            header = try JSONReader.decode(Header.self, from: headerData)
        } catch JSONReadError.tooDeep {
            throw .malformed("the header nests deeper than \(JSONReader.maximumDepth) levels")
        } catch {
            throw .malformed("the header is not a JSON object with 'alg'")
        }
        self.payload = payload
        self.signature = Array(signature)
        signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
    }
}
