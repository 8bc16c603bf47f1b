#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A profile's long-lived keys encrypted at rest, in `<credentials file>-<PROFILE>.enc` (the
/// location aws-token-manager uses). The plaintext is the profile's credentials-file section; the
/// key comes from the password through scrypt, with the salt and cost in the file's header, and
/// AES-256-GCM binds the profile name as associated data, so a file renamed to another profile
/// does not decrypt.
package struct EncryptedCredentialsFile: Sendable {
    package var path: String
    package var profile: String

    package init(files: AWSFiles, profile: String) {
        path = files.encryptedCredentials(of: profile)
        self.profile = profile
    }

    package var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// The file's name, for prompts ("Password for credentials-dev.enc").
    package var fileName: String { AtomicFile.baseName(of: path) }

    static let magic = "maws-encrypted-credentials: 1"

    package func write(keys: SigV4Signer.Credentials, password: [UInt8]) throws {
        var plaintext = Array(
            "[\(profile)]\naws_access_key_id = \(keys.accessKeyID)\naws_secret_access_key = \(keys.secretAccessKey)\n".utf8)
        defer { SecretBox.cleanse(&plaintext) }
        let sealed = try SecretBox.seal(plaintext, password: password, associatedData: Array(profile.utf8))
        let text = """
            # AWS access keys of profile \(profile), encrypted by maws (scrypt, AES-256-GCM).
            # Change the password with: maws crypto rekey --profile \(profile)
            \(Self.magic)
            scrypt-n: \(sealed.parameters.n)
            scrypt-r: \(sealed.parameters.r)
            scrypt-p: \(sealed.parameters.p)
            salt: \(Data(sealed.salt).base64EncodedString())
            nonce: \(Data(sealed.nonce).base64EncodedString())
            ciphertext: \(Data(sealed.ciphertext).base64EncodedString())

            """
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    package func read(password: [UInt8]) throws -> SigV4Signer.Credentials {
        guard let bytes = AtomicFile.readPrivate(path) else { throw EncryptedCredentialsError.unreadable(path: path) }
        var fields: [String: String] = [:]
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains(Self.magic) else { throw EncryptedCredentialsError.notOurs(path: path) }
        for line in lines(of: text) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...].trimmingLineWhitespace())
        }
        guard let n = fields["scrypt-n"].flatMap(UInt64.init), let r = fields["scrypt-r"].flatMap(UInt64.init),
            let p = fields["scrypt-p"].flatMap(UInt64.init),
            let salt = fields["salt"].flatMap({ Data(base64Encoded: $0) }),
            let nonce = fields["nonce"].flatMap({ Data(base64Encoded: $0) }),
            let ciphertext = fields["ciphertext"].flatMap({ Data(base64Encoded: $0) })
        else { throw EncryptedCredentialsError.notOurs(path: path) }
        let sealed = SecretBox.Sealed(
            salt: Array(salt), nonce: Array(nonce), parameters: .init(n: n, r: r, p: p),
            ciphertext: Array(ciphertext))
        var plaintext: [UInt8]
        // `catch .authenticationFailed` on the typed throw crashes the Swift 6.3 compiler (an
        // ownership-verifier fatal error), hence the Result.
        switch Result(catching: { () throws(CryptoError) in
            try SecretBox.open(sealed, password: password, associatedData: Array(profile.utf8))
        }) {
        case .success(let opened): plaintext = opened
        case .failure(.authenticationFailed): throw EncryptedCredentialsError.wrongPassword(path: path)
        case .failure(let error): throw error
        }
        defer { SecretBox.cleanse(&plaintext) }
        let document = try INIDocument.parse(String(decoding: plaintext, as: UTF8.self))
        guard let section = document.section(profile), let id = section.entry("aws_access_key_id")?.value,
            let secret = section.entry("aws_secret_access_key")?.value
        else { throw EncryptedCredentialsError.notOurs(path: path) }
        return SigV4Signer.Credentials(accessKeyID: id, secretAccessKey: secret)
    }
}

package enum EncryptedCredentialsError: MawsError, Equatable {
    case unreadable(path: String)
    case notOurs(path: String)
    case wrongPassword(path: String)

    package var description: String {
        switch self {
        case .unreadable(let path):
            return "cannot read \(path): it must be a file owned by you that others cannot write"
        case .notOurs(let path):
            return "\(path) is not a maws encrypted credentials file (or it is damaged)"
        case .wrongPassword(let path):
            return "wrong password for \(path) (or the file was altered); nothing was changed"
        }
    }
}
