import COpenSSL

/// An RSA public key built from a JWK's modulus and exponent, able to check RS256
/// (RSASSA-PKCS1-v1_5 with SHA-256) signatures.
package final class RSAPublicKey: @unchecked Sendable {
    // An EVP_PKEY*, owned; freed in deinit. Never mutated after init, so sharing is safe.
    private let key: OpaquePointer
    private let library: LibCrypto
    package let bits: Int

    /// Keys shorter than this are refused: RFC 7518 §3.3 requires 2048 bits for RS256.
    package static let minimumBits = 2048

    package init(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) {
        let library = try LibCrypto.shared()
        self.library = library
        guard !modulus.isEmpty, !exponent.isEmpty else { throw .invalidKey("empty modulus or exponent") }
        library.clearError()

        let n = modulus.withUnsafeBufferPointer { library.bnBin2bn($0.baseAddress, Int32($0.count), nil) }
        let e = exponent.withUnsafeBufferPointer { library.bnBin2bn($0.baseAddress, Int32($0.count), nil) }
        defer {
            library.bnFree(n)
            library.bnFree(e)
        }
        guard n != nil, e != nil, let builder = library.paramBuildNew() else { throw .invalidKey("out of memory") }
        defer { library.paramBuildFree(builder) }
        // The builder keeps the name pointers until to_param, so they must outlive the push calls:
        // static strings, not Swift Strings bridged for the duration of one call.
        guard library.paramBuildPushBN(builder, Self.cString(Self.modulusName), n) == 1,
            library.paramBuildPushBN(builder, Self.cString(Self.exponentName), e) == 1,
            let params = library.paramBuildToParam(builder)
        else { throw .invalidKey("cannot build key parameters") }
        defer { library.paramFree(params) }

        guard let context = library.pkeyContextNewFromName(nil, "RSA", nil) else { throw .invalidKey("RSA is not available") }
        defer { library.pkeyContextFree(context) }
        var pkey: OpaquePointer?
        guard library.pkeyFromDataInit(context) == 1,
            library.pkeyFromData(context, &pkey, MAWS_EVP_PKEY_PUBLIC_KEY, params) == 1,
            let pkey
        else { throw .invalidKey("OpenSSL rejected the modulus/exponent") }
        self.key = pkey
        self.bits = Int(library.pkeyGetBits(pkey))
    }

    /// OSSL_PKEY_PARAM_RSA_N and OSSL_PKEY_PARAM_RSA_E.
    private static let modulusName: StaticString = "n"
    private static let exponentName: StaticString = "e"

    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    deinit {
        library.pkeyFree(key)
    }

    /// True when `signature` is a valid RS256 signature of `message` under this key.
    package func verifyRS256(signature: [UInt8], message: [UInt8]) -> Bool {
        guard let context = library.mdContextNew() else { return false }
        defer {
            library.mdContextFree(context)
            library.clearError()
        }
        guard library.digestVerifyInit(context, nil, library.sha256(), nil, key) == 1 else { return false }
        let status = signature.withUnsafeBufferPointer { signatureBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                library.digestVerify(
                    context, signatureBuffer.baseAddress, signatureBuffer.count,
                    messageBuffer.baseAddress, messageBuffer.count)
            }
        }
        return status == 1
    }
}
