import ArgumentParser
import MawsCore

/// `maws crypto`: manage an encrypted credentials file.
struct CryptoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Change the password of, or show, a profile's encrypted keys.",
        subcommands: [Rekey.self, Decrypt.self]
    )

    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encrypt the profile's keys under a new password.")
        @OptionGroup var user: UserProfileOptions

        func run() throws {
            let (sessions, environment) = try user.sessions()
            let encrypted = EncryptedCredentialsFile(files: sessions.profiles.files, profile: user.profileName(environment))
            var old = try sessions.prompt.password("Current password for \(encrypted.fileName)")
            defer { SecretBox.cleanse(&old) }
            let keys = try encrypted.read(password: old)
            var new = try sessions.prompt.password("New password for \(encrypted.fileName)", confirm: true)
            defer { SecretBox.cleanse(&new) }
            try encrypted.write(keys: keys, password: new)
            let kdf = SecretBox.KDFParameters.standard
            sessions.diagnostics.info("maws: \(encrypted.path) now opens with the new password (scrypt N=\(kdf.n), r=\(kdf.r), p=\(kdf.p))")
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the profile's keys, as a credentials-file section, on stdout.")
        @OptionGroup var user: UserProfileOptions

        func run() throws {
            let (sessions, environment) = try user.sessions()
            let name = user.profileName(environment)
            let encrypted = EncryptedCredentialsFile(files: sessions.profiles.files, profile: name)
            var password = try sessions.prompt.password("Password for \(encrypted.fileName)")
            defer { SecretBox.cleanse(&password) }
            let keys = try encrypted.read(password: password)
            Diagnostics.writeStandardOutput(
                "[\(name)]\naws_access_key_id = \(keys.accessKeyID)\naws_secret_access_key = \(keys.secretAccessKey)\n")
        }
    }
}
