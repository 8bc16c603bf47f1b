#if DEBUG
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import MawsCore

/// JWK Set documents as maws gets them from the IdP (and caches and forwards them), any JSON value
/// through `JSONReader`, and RSA public keys built from a JWK's `n` and `e`.
enum JWKSFuzz {
    static let target = FuzzTarget(
        "jwks",
        "JWKS and JSON values: the depth limit is exact, a JSONValue encodes and reads "
            + "back equal, a key set rebuilt from its cached document has the same keys, key "
            + "choice by kid is right, an RSA key from any n/e never verifies a fixed signature"
    ) { data in
        run(data)
    }

    static func run(_ data: [UInt8]) {
        let json = Data(data)
        checkJSONValue(json)
        guard let set = try? JSONWebKeySet(json: json) else { return }

        // The cache keeps the set as its JSON document and rebuilds it from there.
        guard let rebuilt = try? JSONWebKeySet(document: set.document) else {
            return require(false, "a key set cannot be rebuilt from its own document")
        }
        require(rebuilt.keys == set.keys, "a key set rebuilt from its document has other keys")

        for key in set.keys.prefix(8) {
            if let kid = key.kid {
                let chosen = try? set.key(for: kid)
                require(chosen?.kid == kid, "key(for: \(kid)) chose another key")
            }
        }
        if let only = try? set.key(for: nil) {
            require(only.isRS256SigningKey && set.keys.filter(\.isRS256SigningKey).count == 1, "key(for: nil) chose among several keys")
        }
        for key in set.keys.prefix(2) where key.isRS256SigningKey {
            guard let n = key.n.flatMap(Base64URL.decode), let e = key.e.flatMap(Base64URL.decode),
                let publicKey = try? RSAPublicKey(modulus: Array(n), exponent: Array(e))
            else { continue }
            require(
                !publicKey.verifyRS256(signature: Array(repeating: 0x5A, count: 256), message: Array("maws-fuzz".utf8)),
                "a fuzzed RSA key verified a fixed signature")
        }
    }

    /// `JSONReader` refuses exactly the documents nested deeper than its limit; what it reads as
    /// a `JSONValue` encodes to JSON that reads back as the same value.
    static func checkJSONValue(_ json: Data) {
        let value = try? JSONReader.decode(JSONValue.self, from: json)
        if let plain = try? JSONDecoder().decode(JSONValue.self, from: json) {
            let levels = depth(plain)
            require((value != nil) == (levels <= JSONReader.maximumDepth), "JSONReader's depth limit is off for a document \(levels) deep")
        } else {
            require(value == nil, "JSONReader read a document JSONDecoder refuses")
        }
        guard let value else { return }
        guard let encoded = try? JSONWriter.encode(value) else { return require(false, "a JSON value maws read cannot be encoded") }
        require((try? JSONReader.decode(JSONValue.self, from: encoded)) == value, "a JSON value does not read back from its encoding")
    }

    static func depth(_ value: JSONValue) -> Int {
        switch value {
        case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
        case .object(let members): 1 + (members.values.map(depth).max() ?? 0)
        default: 0
        }
    }
}
#endif
