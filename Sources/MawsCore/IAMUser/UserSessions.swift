#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sessions for people who hold IAM user keys: MFA session tokens and role assumption, the keys
/// read from the credentials file or from their encrypted file, every result cached.
///
/// One MFA code serves many roles: the MFA session (GetSessionToken with the code) is cached per
/// `mfa_serial` and used to assume each role, so switching roles asks for no new code.
package struct UserSessions: Sendable {
    package var environment: Environment
    package var http: HTTPClient
    package var diagnostics: Diagnostics
    package var prompt: Prompt
    package var profiles: AWSProfiles
    package var cache: CacheDirectory
    /// `--mfa-code`: used instead of asking, once.
    package var mfaCode: String?

    package init(environment: Environment, http: HTTPClient, diagnostics: Diagnostics, mfaCode: String?) throws {
        self.environment = environment
        self.http = http
        self.diagnostics = diagnostics
        self.prompt = Prompt(environment: environment)
        self.profiles = try AWSProfiles(environment: environment)
        self.cache = CacheDirectory(environment: environment)
        self.mfaCode = mfaCode
    }

    var api: AWSAccountAPI { AWSAccountAPI(environment: environment, http: http) }

    /// The long-lived keys of `profile`: from the credentials or config file, else from its
    /// encrypted file (asking for the password).
    package func staticKeys(of profile: AWSProfiles.Profile) throws -> SigV4Signer.Credentials {
        if let id = profile.accessKeyID, let secret = profile.secretAccessKey {
            return SigV4Signer.Credentials(accessKeyID: id, secretAccessKey: secret)
        }
        let encrypted = EncryptedCredentialsFile(files: profiles.files, profile: profile.name)
        guard encrypted.exists else {
            throw ProfilesError.noKeys(profile: profile.name, files: [profiles.files.credentials, encrypted.path])
        }
        var password = try prompt.password("Password for \(encrypted.fileName)")
        defer { SecretBox.cleanse(&password) }
        return try encrypted.read(password: password)
    }

    /// The keys of a command that signs with "the environment, else a profile" (`maws whoami`,
    /// `maws-roles build`): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN when
    /// no profile is named and the first two are set; else the keys of the named (or selected)
    /// profile with its session token. `sessions` is called only in the second case.
    package static func keys(
        profile: String?, environment: Environment,
        sessions: () throws -> UserSessions
    ) throws -> SigV4Signer.Credentials {
        if profile == nil, let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] {
            return SigV4Signer.Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        }
        let sessions = try sessions()
        let profile = try sessions.profiles.profile(AWSProfiles.selected(profile, environment: environment))
        var keys = try sessions.staticKeys(of: profile)
        keys.sessionToken = profile.sessionToken
        return keys
    }

    // MARK: Session tokens

    package struct MFASession: Sendable {
        package var credentials: AWSCredentials
        package var identity: AWSAccountAPI.CallerIdentity
        package var mfaSerial: String?
    }

    /// A GetSessionToken session for `profileName`'s keys: cached (per MFA device, else per key)
    /// until 5 minutes before it expires.
    package func session(profileName: String, durationSeconds: Int?) throws -> MFASession {
        let profile = try profiles.profile(profileName)
        let cachedSerial = profile.mfaSerial
        if let cachedSerial, let session = cachedSession(key: "mfa:" + cachedSerial) { return session }
        let keys = try staticKeys(of: profile)
        if cachedSerial == nil, let session = cachedSession(key: "key:" + keys.accessKeyID) { return session }

        var serial = profile.mfaSerial
        if serial == nil {
            diagnostics.debug("profile \(profile.name) names no mfa_serial; asking IAM for the user's MFA devices")
            // Named explicitly: not every IAM implementation infers the caller's user.
            let userName = try api.callerIdentity(keys).userName
            serial = try api.mfaDevices(keys, userName: userName).first
            if let serial, let session = cachedSession(key: "mfa:" + serial) { return session }
        }
        return try newSession(keys: keys, mfaSerial: serial, durationSeconds: durationSeconds ?? profile.durationSeconds)
    }

    /// GetSessionToken (with the MFA code when there is a device), cached under the device, else the key.
    private func newSession(keys: SigV4Signer.Credentials, mfaSerial serial: String?, durationSeconds: Int?) throws -> MFASession {
        let code = try serial.map { try mfaCode ?? prompt.line("MFA code for \($0): ") }
        let credentials = try api.sessionToken(keys, durationSeconds: durationSeconds, mfaSerial: serial, mfaCode: code)
        let identity = try api.callerIdentity(credentials.signing)
        let key = serial.map { "mfa:" + $0 } ?? "key:" + keys.accessKeyID
        cache.store(
            MFASessionEntry(
                key: key, mfaSerial: serial, credentials: credentials, account: identity.account,
                arn: identity.arn, userID: identity.userID), diagnostics: diagnostics)
        diagnostics.debug(
            "new session for \(identity.arn)\(serial.map { " with MFA device \($0)" } ?? ""), until \(ISO8601.format(credentials.expiration))"
        )
        return MFASession(credentials: credentials, identity: identity, mfaSerial: serial)
    }

    private func cachedSession(key: String) -> MFASession? {
        guard let entry = cache.entry(MFASessionEntry.self, for: key, usableAt: Date()) else { return nil }
        diagnostics.debug("using the cached session of \(entry.arn), until \(ISO8601.format(entry.credentials.expiration))")
        return MFASession(
            credentials: entry.credentials,
            identity: .init(account: entry.account, arn: entry.arn, userID: entry.userID), mfaSerial: entry.mfaSerial)
    }

    // MARK: Roles

    /// Assumes the role of `profileName`, through its chain of source profiles.
    package func assume(profileName: String, durationSeconds: Int?) throws -> AssumedRole {
        let chain = try profiles.chain(profileName)
        guard chain.count > 1 else {
            throw ProfilesError.invalidValue(profile: profileName, key: "role_arn", reason: "is missing: there is no role to assume")
        }
        let root = chain[0]
        // Any MFA in the chain is satisfied once, with a session of the root's keys.
        let mfaSerial = chain.lazy.compactMap(\.mfaSerial).first
        var signing: SigV4Signer.Credentials
        var userName: String?
        var sourceKey: String
        if let mfaSerial {
            var rootWithSerial = root
            rootWithSerial.mfaSerial = mfaSerial
            let session = try self.session(for: rootWithSerial)
            signing = session.credentials.signing
            userName = session.identity.userName
            sourceKey = "mfa:" + mfaSerial
        } else {
            signing = try staticKeys(of: root)
            sourceKey = "key:" + signing.accessKeyID
        }

        var assumed: AssumedRole?
        for (hop, profile) in chain.dropFirst().enumerated() {
            let role = try RoleARN(parsing: profile.roleARN!)
            var duration = durationSeconds ?? profile.durationSeconds ?? 3600
            if hop > 0, duration > 3600 {
                diagnostics.info(
                    "maws: \(profile.name) is assumed with another role's credentials (role chaining), "
                        + "which AWS limits to 1 hour: asking for 3600 s instead of \(duration) s")
                duration = 3600
            }
            if userName == nil && profile.roleSessionName == nil {
                userName = try api.callerIdentity(signing).userName
            }
            let sessionName = RoleSessionName.make(email: profile.roleSessionName, subject: userName ?? "maws")
            let key = [sourceKey, role.description, profile.externalID ?? "", sessionName, String(duration)].joined(separator: "|")
            if let entry = cache.entry(AssumedRoleEntry.self, for: key, usableAt: Date()) {
                diagnostics.debug("using cached credentials for \(role), until \(ISO8601.format(entry.credentials.expiration))")
                assumed = AssumedRole(
                    role: role, credentials: entry.credentials, assumedRoleARN: entry.assumedRoleARN,
                    durationSeconds: entry.durationSeconds)
            } else {
                diagnostics.debug("AssumeRole \(role) as \(sessionName) for \(duration) s")
                let fresh = try api.assumeRole(
                    signing, role: role, sessionName: sessionName, externalID: profile.externalID,
                    durationSeconds: duration, mfaSerial: nil, mfaCode: nil)
                cache.store(
                    AssumedRoleEntry(
                        key: key, role: role.description, credentials: fresh.credentials,
                        assumedRoleARN: fresh.assumedRoleARN, durationSeconds: duration), diagnostics: diagnostics)
                assumed = fresh
            }
            signing = assumed!.credentials.signing
            sourceKey = "role:" + role.description
        }
        return assumed!
    }

    private func session(for profile: AWSProfiles.Profile) throws -> MFASession {
        let serial = profile.mfaSerial!
        if let session = cachedSession(key: "mfa:" + serial) { return session }
        return try newSession(keys: try staticKeys(of: profile), mfaSerial: serial, durationSeconds: nil)
    }
}
