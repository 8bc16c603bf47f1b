import MawsTestSupport
import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct IDTokenVerifierTests {
    static let key = try! TestRSAKey(kid: "test-key")
    static let otherKey = try! TestRSAKey(kid: "other-key")
    let now = Date()

    var verifier: IDTokenVerifier {
        IDTokenVerifier(issuer: TestJWT.issuer, clientID: TestJWT.clientID, expectedNonce: TestJWT.nonce, now: now)
    }

    var keys: JSONWebKeySet {
        get throws { try JSONWebKeySet([try Self.key.jwk]) }
    }

    func expect(_ token: String, toFailWith expected: TokenError, keys: JSONWebKeySet? = nil) throws {
        let keySet = try keys ?? self.keys
        #expect(throws: expected) { try verifier.verify(token, keys: keySet) }
    }

    @Test func acceptsAValidToken() throws {
        let token = try TestJWT.valid(now: now).signed(with: Self.key)
        let verified = try verifier.verify(token, keys: keys)
        #expect(verified.claims.sub == "ad|Example-LDAP|alice")
        #expect(verified.claims.email == "alice@example.com")
        #expect(verified.claims.amr == ["team-ops"])
        #expect(verified.compact == token)
    }

    @Test func rejectsATamperedPayload() throws {
        let token = try TestJWT.valid(now: now).signed(with: Self.key)
        var forged = TestJWT.valid(now: now)
        forged.claims["sub"] = .string("admin")
        let parts = token.split(separator: ".")
        let tampered = try forged.signingInput() + "." + parts[2]
        try expect(tampered, toFailWith: .badSignature)
    }

    @Test func rejectsASignatureFromAnotherKeyWithTheSameKid() throws {
        let impostor = try TestRSAKey(kid: "test-key")
        try expect(try TestJWT.valid(now: now).signed(with: impostor), toFailWith: .badSignature)
    }

    @Test func rejectsAlgNone() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.header["alg"] = .string("none")
        try expect(try jwt.signingInput() + ".", toFailWith: .unsupportedAlgorithm("none"))
    }

    @Test func rejectsHS256SignedWithThePublicKey() throws {
        // The classic algorithm-confusion attack: an HMAC keyed with the published RSA key.
        var jwt = TestJWT.valid(now: now)
        jwt.header["alg"] = .string("HS256")
        let publicKeyBytes = try JSONWriter.encode(try Self.key.jwk)
        let mac = try SHA256.hmac(key: publicKeyBytes, message: Array(try jwt.signingInput().utf8))
        try expect(try jwt.withSignature(mac), toFailWith: .unsupportedAlgorithm("HS256"))
    }

    @Test func rejectsAnUnknownKid() throws {
        let token = try TestJWT.valid(now: now, kid: "other-key").signed(with: Self.otherKey)
        try expect(token, toFailWith: .unknownKey(kid: "other-key"))
    }

    @Test func withoutKidUsesTheOnlyKeyButRefusesToGuessAmongSeveral() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.header["kid"] = nil
        let token = try jwt.signed(with: Self.key)
        _ = try verifier.verify(token, keys: keys)
        let two = try JSONWebKeySet([try Self.key.jwk, try Self.otherKey.jwk])
        try expect(token, toFailWith: .unknownKey(kid: nil), keys: two)
    }

    @Test func rejectsKeysNotMeantForRS256Signatures() throws {
        var jwk = try Self.key.jwk
        jwk.use = "enc"
        let token = try TestJWT.valid(now: now).signed(with: Self.key)
        #expect(throws: TokenError.self) { try verifier.verify(token, keys: try JSONWebKeySet([jwk])) }
    }

    @Test func rejectsShortRSAKeys() throws {
        let weak = try TestRSAKey(bits: 1024, kid: "weak")
        let token = try TestJWT.valid(now: now, kid: "weak").signed(with: weak)
        try expect(
            token, toFailWith: .unusableKey(kid: "weak", reason: "it has 1024 bits, fewer than 2048"),
            keys: try JSONWebKeySet([try weak.jwk]))
    }

    @Test func rejectsCriticalHeaders() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.header["crit"] = .array([.string("exp")])
        try expect(try jwt.signed(with: Self.key), toFailWith: .unsupportedCriticalHeader(["exp"]))
    }

    @Test func rejectsAnotherIssuer() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["iss"] = .string("https://evil.example.com")
        try expect(try jwt.signed(with: Self.key), toFailWith: .wrongIssuer(expected: TestJWT.issuer, actual: "https://evil.example.com"))
    }

    @Test func rejectsAnotherAudience() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["aud"] = .string("someone-else")
        try expect(try jwt.signed(with: Self.key), toFailWith: .wrongAudience(clientID: TestJWT.clientID, actual: ["someone-else"]))
    }

    @Test func severalAudiencesNeedAzpToBeUs() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["aud"] = .array([.string(TestJWT.clientID), .string("api")])
        try expect(try jwt.signed(with: Self.key), toFailWith: .wrongAuthorizedParty(clientID: TestJWT.clientID, actual: nil))
        jwt.claims["azp"] = .string(TestJWT.clientID)
        _ = try verifier.verify(try jwt.signed(with: Self.key), keys: keys)
    }

    @Test func rejectsAWrongOrMissingNonce() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["nonce"] = .string("replayed")
        try expect(try jwt.signed(with: Self.key), toFailWith: .nonceMismatch)
        jwt.claims["nonce"] = nil
        try expect(try jwt.signed(with: Self.key), toFailWith: .missingClaim("nonce"))
    }

    @Test func expiryHasFiveMinutesOfLeeway() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["exp"] = .number(now.timeIntervalSince1970 - 240)
        _ = try verifier.verify(try jwt.signed(with: Self.key), keys: keys)
        let expiredAt = now.timeIntervalSince1970.rounded() - 301
        jwt.claims["exp"] = .number(expiredAt)
        try expect(try jwt.signed(with: Self.key), toFailWith: .expired(at: Date(timeIntervalSince1970: expiredAt), now: now))
    }

    @Test func rejectsTokensFromTheFuture() throws {
        var jwt = TestJWT.valid(now: now)
        let later = now.timeIntervalSince1970.rounded() + 600
        jwt.claims["nbf"] = .number(later)
        try expect(try jwt.signed(with: Self.key), toFailWith: .notYetValid(until: Date(timeIntervalSince1970: later)))
        jwt.claims["nbf"] = nil
        jwt.claims["iat"] = .number(later)
        try expect(try jwt.signed(with: Self.key), toFailWith: .issuedInFuture(at: Date(timeIntervalSince1970: later)))
    }

    @Test func rejectsMissingClaimsAndMalformedTokens() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["sub"] = nil
        try expect(try jwt.signed(with: Self.key), toFailWith: .missingClaim("sub"))
        try expect("only.two", toFailWith: .malformed("expected three dot-separated parts"))
        try expect("a.b.c.d.e", toFailWith: .malformed("it is encrypted (JWE); maws needs a signed token"))
        try expect("%%%.e30.AA", toFailWith: .malformed("the header is not base64url"))
    }

    @Test func errorsNeverContainTheToken() throws {
        var jwt = TestJWT.valid(now: now)
        jwt.claims["nonce"] = .string("replayed")
        let token = try jwt.signed(with: Self.key)
        do {
            _ = try verifier.verify(token, keys: keys)
            Issue.record("expected a failure")
        } catch {
            #expect(!String(describing: error).contains(token.split(separator: ".")[1]))
        }
    }
}
