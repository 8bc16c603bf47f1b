import COpenSSL
import MawsCore

/// An RSA key pair made with OpenSSL for tests: signs JWTs the way an IdP does and publishes its
/// public half as a JWK.
package final class TestRSAKey: @unchecked Sendable {
    let pkey: OpaquePointer
    package let kid: String
    private let crypto: LibCrypto

    package init(bits: Int32 = 2048, kid: String = "test-key") throws {
        let crypto = try LibCrypto.shared()
        self.crypto = crypto
        let library = crypto.library
        let keygenInit = try library.function("EVP_PKEY_keygen_init", as: maws_EVP_PKEY_keygen_init_fn.self)
        let setBits = try library.function("EVP_PKEY_CTX_set_rsa_keygen_bits", as: maws_EVP_PKEY_CTX_set_rsa_keygen_bits_fn.self)
        let generate = try library.function("EVP_PKEY_generate", as: maws_EVP_PKEY_generate_fn.self)
        let context = crypto.pkeyContextNewFromName(nil, "RSA", nil)
        defer { crypto.pkeyContextFree(context) }
        var key: OpaquePointer?
        guard keygenInit(context) == 1, setBits(context, bits) == 1, generate(context, &key) == 1, let key else {
            throw CryptoError.invalidKey("test key generation failed")
        }
        pkey = key
        self.kid = kid
    }

    deinit { crypto.pkeyFree(pkey) }

    private func parameter(_ name: String) throws -> [UInt8] {
        let library = crypto.library
        let getBN = try library.function("EVP_PKEY_get_bn_param", as: maws_EVP_PKEY_get_bn_param_fn.self)
        let numBits = try library.function("BN_num_bits", as: maws_BN_num_bits_fn.self)
        let toBinary = try library.function("BN_bn2bin", as: maws_BN_bn2bin_fn.self)
        var number: OpaquePointer?
        guard getBN(pkey, name, &number) == 1, let number else { throw CryptoError.invalidKey("no \(name)") }
        defer { crypto.bnFree(number) }
        var bytes = [UInt8](repeating: 0, count: (Int(numBits(number)) + 7) / 8)
        _ = toBinary(number, &bytes)
        return bytes
    }

    package var jwk: JSONWebKey {
        get throws {
            JSONWebKey(
                kty: "RSA", kid: kid, use: "sig", alg: "RS256",
                n: Base64URL.encode(try parameter("n")), e: Base64URL.encode(try parameter("e")))
        }
    }

    package func sign(_ message: [UInt8]) throws -> [UInt8] {
        let library = crypto.library
        let signInit = try library.function("EVP_DigestSignInit", as: maws_EVP_DigestSignInit_fn.self)
        let sign = try library.function("EVP_DigestSign", as: maws_EVP_DigestSign_fn.self)
        let context = crypto.mdContextNew()
        defer { crypto.mdContextFree(context) }
        guard signInit(context, nil, crypto.sha256(), nil, pkey) == 1 else { throw CryptoError.digestFailed }
        var length = 0
        guard sign(context, nil, &length, message, message.count) == 1 else { throw CryptoError.digestFailed }
        var signature = [UInt8](repeating: 0, count: length)
        guard sign(context, &signature, &length, message, message.count) == 1 else { throw CryptoError.digestFailed }
        return Array(signature.prefix(length))
    }
}
