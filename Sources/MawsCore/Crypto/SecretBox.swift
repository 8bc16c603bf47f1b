import COpenSSL

/// Password-based authenticated encryption: a key from scrypt, then AES-256-GCM.
package enum SecretBox {
    /// scrypt cost parameters; stored with each file so they can be raised later.
    package struct KDFParameters: Sendable, Equatable, Codable {
        package var n: UInt64
        package var r: UInt64
        package var p: UInt64

        /// 2^17, 8, 1: 128 MiB and about half a second per password, as OWASP's password storage
        /// guidance has it for scrypt; a file guessed at offline must cost that much per guess.
        /// Files keep their parameters, so those written with 2^15 still open, and `maws crypto
        /// rekey` rewrites them with these.
        package static let standard = KDFParameters(n: 1 << 17, r: 8, p: 1)
    }

    package struct Sealed: Sendable, Equatable {
        package var salt: [UInt8]
        package var nonce: [UInt8]
        package var parameters: KDFParameters
        /// Ciphertext followed by the 16-byte GCM tag.
        package var ciphertext: [UInt8]
    }

    package static func seal(
        _ plaintext: [UInt8], password: [UInt8], associatedData: [UInt8],
        parameters: KDFParameters = .standard
    ) throws(CryptoError) -> Sealed {
        let salt = try SecureRandom.bytes(16)
        let nonce = try SecureRandom.bytes(12)
        var key = try deriveKey(password: password, salt: salt, parameters: parameters)
        defer { cleanse(&key) }
        let ciphertext = try Cipher.shared().crypt(encrypt: true, key: key, nonce: nonce, associatedData: associatedData, input: plaintext)
        return Sealed(salt: salt, nonce: nonce, parameters: parameters, ciphertext: ciphertext)
    }

    /// The plaintext, or `CryptoError.authenticationFailed` for a wrong password or altered data.
    package static func open(_ sealed: Sealed, password: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        var key = try deriveKey(password: password, salt: sealed.salt, parameters: sealed.parameters)
        defer { cleanse(&key) }
        return try Cipher.shared().crypt(
            encrypt: false, key: key, nonce: sealed.nonce, associatedData: associatedData,
            input: sealed.ciphertext)
    }

    static func deriveKey(password: [UInt8], salt: [UInt8], parameters: KDFParameters) throws(CryptoError) -> [UInt8] {
        let functions = try Cipher.shared()
        guard parameters.n >= 1 << 14, parameters.n <= 1 << 22, parameters.n & (parameters.n - 1) == 0,
            (1...32).contains(parameters.r), (1...16).contains(parameters.p)
        else { throw .invalidKey("unacceptable scrypt parameters") }
        var key = [UInt8](repeating: 0, count: 32)
        let maximumMemory = 256 * parameters.r * parameters.n * parameters.p + (1 << 20)
        let status = password.withUnsafeBufferPointer { passwordBuffer in
            salt.withUnsafeBufferPointer { saltBuffer in
                key.withUnsafeMutableBufferPointer { keyBuffer in
                    functions.scrypt(
                        passwordBuffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                        passwordBuffer.count, saltBuffer.baseAddress, saltBuffer.count,
                        parameters.n, parameters.r, parameters.p, maximumMemory, keyBuffer.baseAddress, 32)
                }
            }
        }
        guard status == 1 else { throw .invalidKey("scrypt failed") }
        return key
    }

    /// Overwrites secret bytes in a way the compiler will not optimise away.
    package static func cleanse(_ bytes: inout [UInt8]) {
        guard let functions = try? Cipher.shared() else { return }
        bytes.withUnsafeMutableBytes { functions.cleanse($0.baseAddress, $0.count) }
    }
}

/// The AES-GCM and scrypt functions of libcrypto, looked up the first time they are needed.
final class Cipher: Sendable {
    let aes256GCM: maws_EVP_aes_256_gcm_fn
    let contextNew: maws_EVP_CIPHER_CTX_new_fn
    let contextFree: maws_EVP_CIPHER_CTX_free_fn
    let control: maws_EVP_CIPHER_CTX_ctrl_fn
    let encryptInit: maws_EVP_EncryptInit_ex_fn
    let encryptUpdate: maws_EVP_EncryptUpdate_fn
    let encryptFinal: maws_EVP_EncryptFinal_ex_fn
    let decryptInit: maws_EVP_DecryptInit_ex_fn
    let decryptUpdate: maws_EVP_DecryptUpdate_fn
    let decryptFinal: maws_EVP_DecryptFinal_ex_fn
    let scrypt: maws_EVP_PBE_scrypt_fn
    let cleanse: maws_OPENSSL_cleanse_fn

    private init(_ library: DynamicLibrary) throws(DynamicLibraryError) {
        aes256GCM = try library.function("EVP_aes_256_gcm", as: maws_EVP_aes_256_gcm_fn.self)
        contextNew = try library.function("EVP_CIPHER_CTX_new", as: maws_EVP_CIPHER_CTX_new_fn.self)
        contextFree = try library.function("EVP_CIPHER_CTX_free", as: maws_EVP_CIPHER_CTX_free_fn.self)
        control = try library.function("EVP_CIPHER_CTX_ctrl", as: maws_EVP_CIPHER_CTX_ctrl_fn.self)
        encryptInit = try library.function("EVP_EncryptInit_ex", as: maws_EVP_EncryptInit_ex_fn.self)
        encryptUpdate = try library.function("EVP_EncryptUpdate", as: maws_EVP_EncryptUpdate_fn.self)
        encryptFinal = try library.function("EVP_EncryptFinal_ex", as: maws_EVP_EncryptFinal_ex_fn.self)
        decryptInit = try library.function("EVP_DecryptInit_ex", as: maws_EVP_DecryptInit_ex_fn.self)
        decryptUpdate = try library.function("EVP_DecryptUpdate", as: maws_EVP_DecryptUpdate_fn.self)
        decryptFinal = try library.function("EVP_DecryptFinal_ex", as: maws_EVP_DecryptFinal_ex_fn.self)
        scrypt = try library.function("EVP_PBE_scrypt", as: maws_EVP_PBE_scrypt_fn.self)
        cleanse = try library.function("OPENSSL_cleanse", as: maws_OPENSSL_cleanse_fn.self)
    }

    private static let loaded = SharedLibrary(in: LibCrypto.loaded, library: \.library, functions: Cipher.init)

    static func shared() throws(CryptoError) -> Cipher {
        try loaded.functions(or: CryptoError.unavailable)
    }

    /// AES-256-GCM over `input`; decryption checks and strips the trailing 16-byte tag.
    func crypt(encrypt: Bool, key: [UInt8], nonce: [UInt8], associatedData: [UInt8], input: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let context = contextNew() else { throw .unavailable("EVP_CIPHER_CTX_new failed") }
        defer { contextFree(context) }
        let tagLength = 16
        let body = encrypt ? input : Array(input.dropLast(tagLength))
        guard encrypt || input.count >= tagLength else { throw .authenticationFailed }
        var output = [UInt8](repeating: 0, count: body.count + 16)
        var length: Int32 = 0
        var total = 0
        let initialize = encrypt ? encryptInit : decryptInit
        let update = encrypt ? encryptUpdate : decryptUpdate
        guard initialize(context, aes256GCM(), nil, nil, nil) == 1,
            control(context, MAWS_EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
            initialize(context, nil, nil, key, nonce) == 1,
            associatedData.isEmpty || update(context, nil, &length, associatedData, Int32(associatedData.count)) == 1,
            body.isEmpty
                || output.withUnsafeMutableBufferPointer({ update(context, $0.baseAddress, &length, body, Int32(body.count)) }) == 1
        else { throw .unavailable("AES-GCM setup failed") }
        total = body.isEmpty ? 0 : Int(length)
        if encrypt {
            guard output.withUnsafeMutableBufferPointer({ encryptFinal(context, $0.baseAddress! + total, &length) }) == 1 else {
                throw .unavailable("AES-GCM failed")
            }
            total += Int(length)
            var tag = [UInt8](repeating: 0, count: tagLength)
            guard control(context, MAWS_EVP_CTRL_GCM_GET_TAG, Int32(tagLength), &tag) == 1 else { throw .unavailable("no GCM tag") }
            return Array(output.prefix(total)) + tag
        }
        var tag = Array(input.suffix(tagLength))
        guard control(context, MAWS_EVP_CTRL_GCM_SET_TAG, Int32(tagLength), &tag) == 1,
            output.withUnsafeMutableBufferPointer({ decryptFinal(context, $0.baseAddress! + total, &length) }) == 1
        else { throw .authenticationFailed }
        total += Int(length)
        return Array(output.prefix(total))
    }
}
