import Glibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `maws rotate`: replace a profile's access key without ever being left without a working one.
///
/// Create the new key, prove it works (IAM is eventually consistent, so with retries), store it
/// where the old one lived (plaintext or encrypted), and only then delete the old key. If any
/// step before the last fails, the new key is deleted again and the old one stays valid and on disk.
package struct KeyRotation: Sendable {
    package var sessions: UserSessions
    package var profileName: String
    /// How long to keep trying the new key before giving up on it.
    package var verificationTimeout: Duration = .seconds(20)

    package init(sessions: UserSessions, profileName: String) {
        self.sessions = sessions
        self.profileName = profileName
    }

    package struct Outcome: Sendable {
        package var oldKeyID: String
        package var newKeyID: String
        package var storedIn: String
    }

    package func run() throws -> Outcome {
        let profile = try sessions.profiles.profile(profileName)
        let encrypted = EncryptedCredentialsFile(files: sessions.profiles.files, profile: profile.name)
        let api = sessions.api
        let diagnostics = sessions.diagnostics

        // Where the key lives decides how it is read and written back.
        var password: [UInt8] = []
        defer { SecretBox.cleanse(&password) }
        let old: SigV4Signer.Credentials
        if profile.hasStaticKeys {
            old = SigV4Signer.Credentials(accessKeyID: profile.accessKeyID!, secretAccessKey: profile.secretAccessKey!)
        } else if encrypted.exists {
            password = try sessions.prompt.password("Password for \(encrypted.fileName)")
            old = try encrypted.read(password: password)
        } else {
            throw ProfilesError.noKeys(profile: profile.name, files: [sessions.profiles.files.credentials, encrypted.path])
        }

        let new = try api.createAccessKey(old)
        diagnostics.debug("created access key \(new.accessKeyID); checking that it works")
        func abandon(_ error: Error) -> Error {
            do {
                try api.deleteAccessKey(old, accessKeyID: new.accessKeyID)
                diagnostics.info("maws: deleted the new key \(new.accessKeyID) again; \(old.accessKeyID) is unchanged")
            } catch {
                diagnostics.warning("could not delete the new key \(new.accessKeyID) (\(error)); delete it by hand")
            }
            return error
        }
        do {
            try verify(new, api: api)
        } catch {
            throw abandon(error)
        }

        let storedIn: String
        do {
            if profile.hasStaticKeys {
                storedIn = try writePlaintext(new, profile: profile)
            } else {
                try encrypted.write(keys: new, password: password)
                storedIn = encrypted.path
            }
        } catch {
            throw abandon(error)
        }

        do {
            try api.deleteAccessKey(new, accessKeyID: old.accessKeyID)
        } catch {
            throw RotationError.oldKeyNotDeleted(oldKeyID: old.accessKeyID, newKeyID: new.accessKeyID, reason: "\(error)")
        }
        sessions.cache.remove(MFASessionEntry.fileName(for: "key:" + old.accessKeyID))
        return Outcome(oldKeyID: old.accessKeyID, newKeyID: new.accessKeyID, storedIn: storedIn)
    }

    /// GetCallerIdentity with the new key until it answers (a new IAM key can take seconds to work).
    private func verify(_ key: SigV4Signer.Credentials, api: AWSAccountAPI) throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: verificationTimeout)
        var pause = Duration.milliseconds(500)
        while true {
            do {
                _ = try api.callerIdentity(key)
                return
            } catch let error as AWSQueryError where error.code == "InvalidClientTokenId" && clock.now < deadline {
                sessions.diagnostics.debug("the new key is not active yet; retrying")
                var request = timespec(tv_sec: Int(pause.components.seconds), tv_nsec: Int(pause.components.attoseconds / 1_000_000_000))
                nanosleep(&request, nil)
                pause = min(pause * 2, .seconds(4))
            }
        }
    }

    /// Replaces the key pair in the file section that holds it, leaving everything else as it was.
    private func writePlaintext(_ key: SigV4Signer.Credentials, profile: AWSProfiles.Profile) throws -> String {
        let files = sessions.profiles.files
        let inCredentials =
            try SharedFile(path: files.credentials, holdsSecrets: true).entries(in: profile.name)?["aws_access_key_id"] != nil
        let (path, section) = inCredentials ? (files.credentials, profile.name) : (files.config, AWSFiles.configSection(for: profile.name))
        try SharedFile(path: path, holdsSecrets: true).update { editor in
            try editor.setEntries(
                [("aws_access_key_id", key.accessKeyID), ("aws_secret_access_key", key.secretAccessKey)],
                in: section, owned: ["aws_access_key_id", "aws_secret_access_key"])
        }
        return path
    }
}

package enum RotationError: MawsError, Equatable {
    case oldKeyNotDeleted(oldKeyID: String, newKeyID: String, reason: String)

    package var description: String {
        switch self {
        case .oldKeyNotDeleted(let oldKeyID, let newKeyID, let reason):
            return "the new key \(newKeyID) is stored and works, but deleting the old key \(oldKeyID) failed (\(reason)); "
                + "delete it with: aws iam delete-access-key --access-key-id \(oldKeyID)"
        }
    }
}
