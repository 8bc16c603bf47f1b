import MawsTestSupport
import Testing

@testable import MawsCore

@Suite struct CryptoTests {
    @Test func sha256MatchesKnownDigest() throws {
        // FIPS 180-2 test vector for "abc".
        let digest = try SHA256.hash(Array("abc".utf8))
        #expect(digest.map { String(format2: $0) }.joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hmacMatchesRFC4231Case2() throws {
        let mac = try SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac.map { String(format2: $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func randomBytesDiffer() throws {
        let first = try SecureRandom.bytes(32)
        let second = try SecureRandom.bytes(32)
        #expect(first.count == 32 && first != second)
        #expect(try SecureRandom.token().count == 43)
    }

    @Test func rsaVerifiesItsOwnSignatureOnly() throws {
        let key = try TestRSAKey()
        let jwk = try key.jwk
        let publicKey = try RSAPublicKey(modulus: Array(Base64URL.decode(jwk.n!)!), exponent: Array(Base64URL.decode(jwk.e!)!))
        #expect(publicKey.bits == 2048)
        let message = Array("header.payload".utf8)
        var signature = try key.sign(message)
        #expect(publicKey.verifyRS256(signature: signature, message: message))
        #expect(!publicKey.verifyRS256(signature: signature, message: Array("header.payloaD".utf8)))
        signature[10] ^= 1
        #expect(!publicKey.verifyRS256(signature: signature, message: message))
    }
}

extension String {
    init(format2 byte: UInt8) {
        self = (byte < 16 ? "0" : "") + String(byte, radix: 16)
    }
}
