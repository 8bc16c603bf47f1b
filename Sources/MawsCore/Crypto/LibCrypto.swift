import COpenSSL

/// OpenSSL 3's libcrypto, loaded on first use, with the functions maws calls.
///
/// Each member is typed with the pointer type of the real prototype (see `COpenSSL/shim.h`).
package final class LibCrypto: Sendable {
    package let library: DynamicLibrary
    let randBytes: maws_RAND_bytes_fn
    package let sha256: maws_EVP_sha256_fn
    let digest: maws_EVP_Digest_fn
    let hmac: maws_HMAC_fn
    let bnBin2bn: maws_BN_bin2bn_fn
    package let bnFree: maws_BN_free_fn
    let paramBuildNew: maws_OSSL_PARAM_BLD_new_fn
    let paramBuildPushBN: maws_OSSL_PARAM_BLD_push_BN_fn
    let paramBuildToParam: maws_OSSL_PARAM_BLD_to_param_fn
    let paramBuildFree: maws_OSSL_PARAM_BLD_free_fn
    let paramFree: maws_OSSL_PARAM_free_fn
    package let pkeyContextNewFromName: maws_EVP_PKEY_CTX_new_from_name_fn
    package let pkeyContextFree: maws_EVP_PKEY_CTX_free_fn
    let pkeyFromDataInit: maws_EVP_PKEY_fromdata_init_fn
    let pkeyFromData: maws_EVP_PKEY_fromdata_fn
    let pkeyGetBits: maws_EVP_PKEY_get_bits_fn
    package let pkeyFree: maws_EVP_PKEY_free_fn
    package let mdContextNew: maws_EVP_MD_CTX_new_fn
    package let mdContextFree: maws_EVP_MD_CTX_free_fn
    let digestVerifyInit: maws_EVP_DigestVerifyInit_fn
    let digestVerify: maws_EVP_DigestVerify_fn
    let clearError: maws_ERR_clear_error_fn

    private init(_ library: DynamicLibrary) throws(DynamicLibraryError) {
        self.library = library
        randBytes = try library.function("RAND_bytes", as: maws_RAND_bytes_fn.self)
        sha256 = try library.function("EVP_sha256", as: maws_EVP_sha256_fn.self)
        digest = try library.function("EVP_Digest", as: maws_EVP_Digest_fn.self)
        hmac = try library.function("HMAC", as: maws_HMAC_fn.self)
        bnBin2bn = try library.function("BN_bin2bn", as: maws_BN_bin2bn_fn.self)
        bnFree = try library.function("BN_free", as: maws_BN_free_fn.self)
        paramBuildNew = try library.function("OSSL_PARAM_BLD_new", as: maws_OSSL_PARAM_BLD_new_fn.self)
        paramBuildPushBN = try library.function("OSSL_PARAM_BLD_push_BN", as: maws_OSSL_PARAM_BLD_push_BN_fn.self)
        paramBuildToParam = try library.function("OSSL_PARAM_BLD_to_param", as: maws_OSSL_PARAM_BLD_to_param_fn.self)
        paramBuildFree = try library.function("OSSL_PARAM_BLD_free", as: maws_OSSL_PARAM_BLD_free_fn.self)
        paramFree = try library.function("OSSL_PARAM_free", as: maws_OSSL_PARAM_free_fn.self)
        pkeyContextNewFromName = try library.function("EVP_PKEY_CTX_new_from_name", as: maws_EVP_PKEY_CTX_new_from_name_fn.self)
        pkeyContextFree = try library.function("EVP_PKEY_CTX_free", as: maws_EVP_PKEY_CTX_free_fn.self)
        pkeyFromDataInit = try library.function("EVP_PKEY_fromdata_init", as: maws_EVP_PKEY_fromdata_init_fn.self)
        pkeyFromData = try library.function("EVP_PKEY_fromdata", as: maws_EVP_PKEY_fromdata_fn.self)
        pkeyGetBits = try library.function("EVP_PKEY_get_bits", as: maws_EVP_PKEY_get_bits_fn.self)
        pkeyFree = try library.function("EVP_PKEY_free", as: maws_EVP_PKEY_free_fn.self)
        mdContextNew = try library.function("EVP_MD_CTX_new", as: maws_EVP_MD_CTX_new_fn.self)
        mdContextFree = try library.function("EVP_MD_CTX_free", as: maws_EVP_MD_CTX_free_fn.self)
        digestVerifyInit = try library.function("EVP_DigestVerifyInit", as: maws_EVP_DigestVerifyInit_fn.self)
        digestVerify = try library.function("EVP_DigestVerify", as: maws_EVP_DigestVerify_fn.self)
        clearError = try library.function("ERR_clear_error", as: maws_ERR_clear_error_fn.self)
    }

    static let loaded = SharedLibrary(candidates: ["libcrypto.so.3", "libcrypto.so", "libcrypto.3.dylib"], functions: LibCrypto.init)

    package static func shared() throws(CryptoError) -> LibCrypto {
        try loaded.functions(or: CryptoError.unavailable)
    }
}

package enum CryptoError: MawsError, Equatable {
    case unavailable(String)
    case randomFailed
    case digestFailed
    case invalidKey(String)
    /// Decryption found the data altered, or the password wrong.
    case authenticationFailed

    package var description: String {
        switch self {
        case .unavailable(let reason): return "OpenSSL's libcrypto is not usable: \(reason)"
        case .randomFailed: return "OpenSSL could not produce random bytes; the system entropy source is broken"
        case .digestFailed: return "OpenSSL failed to compute a digest"
        case .invalidKey(let reason): return "invalid key: \(reason)"
        case .authenticationFailed: return "wrong password, or the encrypted data was altered"
        }
    }
}
