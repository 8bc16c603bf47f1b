#if DEBUG
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import MawsCore

/// Compact JWS splitting, base64url, ID token claims and their checks, and the whole RS256
/// verification against a fixed key set (the only part that loads libcrypto).
///
/// The key is a 2048-bit RSA key made for these seeds; only its public half is here. The seeds
/// signed with it (`Tests/Fuzz/jws/signed-*`) pass verification at `FuzzJWK.now`, which lets the
/// fuzzer reach the claim checks through `verify` as well as directly.
enum JWSFuzz {
    static let target = FuzzTarget(
        "jws",
        "compact JWS/JWT: base64url round-trips, the signing input is the token's first "
            + "two parts, claims survive the cache's encoding, checkClaims accepts only the "
            + "expected issuer/audience/nonce/times, an accepted token stops verifying when "
            + "any character of it changes"
    ) { data in
        run(data)
    }

    static let verifier = IDTokenVerifier(
        issuer: FuzzJWK.issuer, clientID: FuzzJWK.clientID, expectedNonce: FuzzJWK.nonce,
        now: FuzzJWK.now)
    static let keys = try! JSONWebKeySet(json: Data(FuzzJWK.keySet.utf8))

    static func run(_ data: [UInt8]) {
        require(Base64URL.decode(Base64URL.encode(data)) == Data(data), "base64url does not round-trip \(data.count) bytes")

        let token = String(decoding: data, as: UTF8.self)
        if let jws = try? CompactJWS(token) {
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            require(jws.signingInput == Array((parts[0] + "." + parts[1]).utf8), "the signing input is not the first two parts")
            checkClaims(jws.payload)
        }
        // The claims reader on its own, so the fuzzer need not wrap its JSON in base64url.
        checkClaims(Data(data))

        guard let verified = try? verifier.verify(token, keys: keys) else { return }
        require(verified.compact == token, "verify returned another token")
        // An accepted signature covers every character of the token: changing any one of them
        // (to another base64url character) must make it fail.
        var scalars = Array(token.unicodeScalars)
        for index in scalars.indices where scalars[index] != "." {
            let original = scalars[index]
            scalars[index] = original == "A" ? "B" : "A"
            var tampered = String.UnicodeScalarView()
            tampered.append(contentsOf: scalars)
            require((try? verifier.verify(String(tampered), keys: keys)) == nil, "a token still verifies with character \(index) changed")
            scalars[index] = original
        }
    }

    static func checkClaims(_ payload: Data) {
        guard let claims = try? IDTokenClaims.decode(payload) else { return }
        // The session cache stores the claims and must read them back.
        guard let encoded = try? JSONWriter.encode(claims, as: .cache),
            let decoded = try? JSONReader.decode(IDTokenClaims.self, from: encoded, dates: .secondsSince1970)
        else { return require(false, "claims maws accepted do not survive the cache's encoding") }
        require(
            decoded.iss == claims.iss && decoded.sub == claims.sub && decoded.aud == claims.aud && decoded.nonce == claims.nonce
                && decoded.azp == claims.azp && decoded.email == claims.email && decoded.amr == claims.amr,
            "claims read back from the cache differ")

        guard (try? verifier.checkClaims(claims)) != nil else { return }
        let leeway = verifier.leeway
        let now = verifier.now
        require(claims.iss == verifier.issuer, "checkClaims accepted issuer \(claims.iss)")
        require(claims.aud.contains(verifier.clientID), "checkClaims accepted audience \(claims.aud)")
        require(
            claims.aud.count == 1 && claims.azp == nil || claims.azp == verifier.clientID, "checkClaims accepted azp \(claims.azp ?? "-")")
        require(claims.nonce == verifier.expectedNonce, "checkClaims accepted another nonce")
        require(claims.exp.timeIntervalSince(now) > -leeway, "checkClaims accepted an expired token")
        require(claims.nbf.map { $0.timeIntervalSince(now) <= leeway } ?? true, "checkClaims accepted a token not yet valid")
        require(claims.iat.map { $0.timeIntervalSince(now) <= leeway } ?? true, "checkClaims accepted a token issued in the future")
    }
}

/// The fuzz targets' RSA key (public half) and the claims its seed tokens carry.
enum FuzzJWK {
    static let issuer = "https://idp.example.com"
    static let clientID = "maws-fuzz"
    static let nonce = "n-fuzz-0S6_WzA2Mj"
    /// 2027-01-15T08:00:00Z, within the seeds' validity.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let kid = "fuzz-key"
    static let modulus =
        "uFoFFLkSzY2HHAXOIwoViVkiEOZfUDnaYrCpvUWePkjdBEw06uAvGwAQvnkaUdArlKJU46i_LVzaXAGxChw-v8zXkmjVgWtH57SEp9gYDXZPlah7YBjoJ3Xy3r5R_nTGIfqBj6-I0ixIzQCcXBdGbap_YJ84Bq2aa9Qo-3To6s9yFo2pbRIwrcCeCVX9zlwGn4M9O5gCIWeXNp7hOcAwzNuVCases8McIojkdKW-HgZMOD0p8oIKu2iFfOoWQO4l9W_GMhfE_tD7RRAQSmcTAHXViUA3q-gU_OKIMlzNcHxrCX65k2ExM2rAfMErxUQlSQjlYQ47ZTZDValECJBsRw"
    static let keySet = #"{"keys":[{"kty":"RSA","kid":"\#(kid)","use":"sig","alg":"RS256","n":"\#(modulus)","e":"AQAB"}]}"#
}
#endif
