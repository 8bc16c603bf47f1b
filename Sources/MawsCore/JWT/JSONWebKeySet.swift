#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JWK Set, kept both parsed (to verify tokens) and as received (the roles API contract sends it on).
package struct JSONWebKeySet: Sendable, Equatable {
    package var keys: [JSONWebKey]
    package var document: JSONValue

    package init(json data: Data) throws(TokenError) {
        struct Document: Decodable { var keys: [JSONWebKey] }
        do {
            keys = try JSONReader.decode(Document.self, from: data).keys
            document = try JSONReader.decode(JSONValue.self, from: data)
        } catch JSONReadError.tooDeep {
            throw .invalidKeySet("it nests deeper than \(JSONReader.maximumDepth) levels")
        } catch {
            throw .invalidKeySet("not a JSON object with a 'keys' array of JWKs")
        }
    }

    /// A key set kept as a JSON value (the cache stores it so).
    package init(document: JSONValue) throws {
        try self.init(json: Data(try JSONWriter.encode(document)))
    }

    /// The key of this set that `token` names (its header's `kid`), or nil.
    package func key(of token: String) -> JSONWebKey? {
        guard let jws = try? CompactJWS(token) else { return nil }
        return try? key(for: jws.header.kid)
    }

    /// The key a token with header `kid` must be checked with.
    ///
    /// With a `kid`, only the key of that id; without one, the set's only RS256 key (a set with
    /// several keys and a token that does not say which is ambiguous, and refused).
    func key(for kid: String?) throws(TokenError) -> JSONWebKey {
        if let kid {
            guard let key = keys.first(where: { $0.kid == kid }) else { throw .unknownKey(kid: kid) }
            return key
        }
        let candidates = keys.filter(\.isRS256SigningKey)
        guard candidates.count == 1 else { throw .unknownKey(kid: nil) }
        return candidates[0]
    }
}
