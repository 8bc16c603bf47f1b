import ArgumentParser
import MawsCore

/// `maws import`: move a profile's keys into an encrypted file.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Encrypt a profile's access keys into ~/.aws/credentials-PROFILE.enc.",
        discussion: """
            Reads the profile's keys from the credentials file, encrypts them with a password (scrypt, \
            AES-256-GCM, the profile name bound in), and offers to remove the plaintext copy, touching \
            nothing else in that file. session, assume and rotate then ask for the password. Scripts \
            give the password on the descriptor named by MAWS_PASSWORD_FD.
            """
    )

    @OptionGroup var user: UserProfileOptions

    @Flag(help: "Remove the plaintext keys without asking.")
    var removePlaintext = false

    @Flag(help: "Keep the plaintext keys without asking.")
    var keepPlaintext = false

    func validate() throws {
        if removePlaintext && keepPlaintext { throw ValidationError("--remove-plaintext and --keep-plaintext exclude each other") }
    }

    func run() throws {
        let (sessions, environment) = try user.sessions()
        let name = user.profileName(environment)
        let profile = try sessions.profiles.profile(name)
        guard let id = profile.accessKeyID, let secret = profile.secretAccessKey else {
            throw ProfilesError.noKeys(profile: name, files: [sessions.profiles.files.credentials])
        }
        let encrypted = EncryptedCredentialsFile(files: sessions.profiles.files, profile: name)
        guard !encrypted.exists else { throw UsageError("\(encrypted.path) exists already; change its password with maws crypto rekey") }
        var password = try sessions.prompt.password("Password for \(encrypted.fileName)", confirm: true)
        defer { SecretBox.cleanse(&password) }
        let keys = SigV4Signer.Credentials(accessKeyID: id, secretAccessKey: secret)
        try encrypted.write(keys: keys, password: password)
        guard try encrypted.read(password: password) == keys else {
            throw UsageError("the encrypted file did not read back; it was kept for inspection")
        }
        sessions.diagnostics.info("maws: access key \(id) encrypted into \(encrypted.path)")

        // The keys may stand in both files (botocore reads the credentials file's first): all go.
        let places = sessions.profiles.plaintextKeys(of: name)
        let listed = places.map { "[\($0.section)] of \($0.path)" }.joined(separator: " and ")
        let remove =
            removePlaintext || (!keepPlaintext && (try? sessions.prompt.confirm("Remove the plaintext keys from \(listed)?")) == true)
        guard remove else {
            sessions.diagnostics.info("maws: the plaintext keys are still in \(listed)")
            return
        }
        for place in places {
            let file = SharedFile(path: place.path, holdsSecrets: true)
            // Only a copy of the keys just encrypted goes, decided under the file's lock: another pair
            // (a config file holding other keys than the credentials file) was never saved anywhere.
            var encryptedHere = false
            try file.update { editor in
                let entries = editor.entries(in: place.section)
                let copyOfEncrypted = place.keys.allSatisfy { key in
                    entries?[key] == (key == "aws_access_key_id" ? keys.accessKeyID : keys.secretAccessKey)
                }
                guard copyOfEncrypted else { return }
                encryptedHere = true
                try editor.removeEntries(Set(place.keys), from: place.section)
            }
            guard encryptedHere else {
                sessions.diagnostics.info("maws: left [\(place.section)] in \(place.path) as it is: its keys are not the ones encrypted")
                continue
            }
            let sectionGone = try file.entries(in: place.section) == nil
            sessions.diagnostics.info(
                "maws: removed \(place.keys.joined(separator: " and ")) from [\(place.section)] in \(place.path)"
                    + (sectionGone ? ", and the section, which held nothing else" : "; nothing else in the file changed"))
        }
    }
}
