#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Hands the credentials over in the chosen format (`-o/--output`): what goes to stdout, which
/// files change, and the line for stderr.
package struct CredentialOutput: Sendable {
    package var format: OutputFormat
    package var dialect: ShellDialect
    /// `--profile` or the config's `profile`, already validated; nil to derive `ALIAS-ROLE`.
    package var profile: String?
    package var region: String?
    package var files: AWSFiles
    package var ledger: WrittenProfiles

    package init(format: OutputFormat, dialect: ShellDialect, profile: String?, region: String?, environment: Environment) {
        self.format = format
        self.dialect = dialect
        self.profile = profile
        self.region = region
        files = AWSFiles(environment: environment)
        ledger = WrittenProfiles(environment: environment)
    }

    package struct Delivery: Sendable, Equatable {
        /// What maws prints on stdout.
        package var stdout: String
        /// What the `print_role_arn` line says happened, e.g. "Environment variables set".
        package var summary: String
    }

    /// The variables an SDK reads for keys in the environment.
    package static let keyVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"]
    /// Every variable the shell formats may set, for `maws logout`.
    package static let sessionVariables = ["AWS_SESSION_EXPIRATION", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "MAWS_PROMPT"]
    /// The keys maws owns in a credentials file section.
    package static let credentialKeys = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]

    /// What the outputs hand over: the credentials, whose they are, and how the prompt names them.
    package struct Handoff: Sendable {
        package var credentials: AWSCredentials
        package var accountID: String
        package var promptName: String
        /// The role (or user) the credentials act as, recorded with a written profile.
        package var principal: String

        package init(credentials: AWSCredentials, accountID: String, promptName: String, principal: String) {
            self.credentials = credentials
            self.accountID = accountID
            self.promptName = promptName
            self.principal = principal
        }
    }

    /// Refuses, before anything is fetched or written, a chosen profile name this output could not
    /// print safely (`ProfileName.checkPrintable`).
    package func checkProfileName(source: String) throws(ConfigError) {
        guard let profile, format == .awscli || format == .shared else { return }
        try ProfileName.checkPrintable(profile, source: source, dialect: dialect)
    }

    package func deliver(_ assumed: AssumedRole, promptName: String) throws -> Delivery {
        try deliver(
            Handoff(
                credentials: assumed.credentials, accountID: assumed.role.accountID, promptName: promptName,
                principal: assumed.role.description))
    }

    package func deliver(_ handoff: Handoff) throws -> Delivery {
        let credentials = handoff.credentials
        switch format {
        case .envvar:
            var script = ShellScript(dialect: dialect)
            try script.set("AWS_ACCESS_KEY_ID", credentials.accessKeyID)
            try script.set("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey)
            if let token = credentials.sessionToken {
                try script.set("AWS_SESSION_TOKEN", token)
            } else {
                // An IAM user's keys: a session token left from earlier would spoil them.
                script.unset(["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"])
            }
            try setSessionVariables(&script, handoff)
            script.unset(["AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"])
            return Delivery(stdout: script.text, summary: "Environment variables set")
        case .awscli, .shared:
            let name = profile ?? ProfileName.derived(from: handoff.promptName)
            let path = format == .awscli ? files.credentials : files.mawsCredentials
            // Every line is checked before a file changes: a refusal leaves nothing half done.
            var script = ShellScript(dialect: dialect)
            try script.set("AWS_PROFILE", name)
            if path != files.defaultCredentials { try script.set("AWS_SHARED_CREDENTIALS_FILE", path) }
            try setSessionVariables(&script, handoff)
            script.unset(Self.keyVariables + (path == files.defaultCredentials ? ["AWS_SHARED_CREDENTIALS_FILE"] : []))
            // The config file is checked first: a refusal there must not follow a written profile.
            if format == .awscli, let region { try writeRegion(region, for: name, checkOnly: true) }
            try writeProfile(name, credentials, principal: handoff.principal, to: path)
            if format == .awscli, let region { try writeRegion(region, for: name) }
            return Delivery(stdout: script.text, summary: "Profile \(name) written to \(path)")
        case .boto:
            return Delivery(
                stdout: JSONWriter.compactLine(
                    [
                        ("aws_access_key_id", .string(credentials.accessKeyID)),
                        ("aws_secret_access_key", .string(credentials.secretAccessKey)),
                    ] + (credentials.sessionToken.map { [("aws_session_token", .string($0))] } ?? [])),
                summary: "Credentials printed")
        case .js:
            return Delivery(
                stdout: JSONWriter.compactLine(
                    [
                        ("accessKeyId", .string(credentials.accessKeyID)),
                        ("secretAccessKey", .string(credentials.secretAccessKey)),
                    ] + (credentials.sessionToken.map { [("sessionToken", .string($0))] } ?? [])),
                summary: "Credentials printed")
        }
    }

    private func setSessionVariables(_ script: inout ShellScript, _ handoff: Handoff) throws(ShellOutputError) {
        for (name, value) in Self.sessionEnvironment(handoff, region: region) {
            try script.set(name, value)
        }
    }

    /// The variables every shell format sets besides the keys: expiration (under the name maws has
    /// always used and the one aws-vault and granted use), account, prompt, and region. The prompt
    /// name comes from remote data (the roles API's account aliases), so it is reduced to the
    /// characters of derived profile names.
    package static func sessionEnvironment(_ handoff: Handoff, region: String?) -> [(String, String)] {
        let expiration = ISO8601.format(handoff.credentials.expiration)
        var variables = [
            ("AWS_SESSION_EXPIRATION", expiration), ("AWS_CREDENTIAL_EXPIRATION", expiration),
            ("AWS_ACCOUNT_ID", handoff.accountID), ("MAWS_PROMPT", ProfileName.derived(from: handoff.promptName)),
        ]
        if let region {
            variables += [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
        }
        return variables
    }

    /// Writes the three credential keys into `[name]` of the credentials file at `path`.
    ///
    /// Long-lived keys (anything but a temporary `ASIA...` key) are never replaced, whoever wrote
    /// the section before: AWS never shows a secret access key again. The check, the write and
    /// maws's record of it happen under the file's lock.
    private func writeProfile(_ name: String, _ credentials: AWSCredentials, principal: String, to path: String) throws {
        let file = SharedFile(path: path, holdsSecrets: true)
        try file.withLock {
            let previous = ledger.record(file: path, section: name)
            var created = false
            try file.update { editor in
                let existing = editor.entries(in: name)
                // (A leased IAM user key that maws wrote there is its own: `Record.stillHeld`.)
                if let current = existing?["aws_access_key_id"], !current.hasPrefix("ASIA"), previous?.stillHeld(in: existing) != true {
                    throw ProfileError.foreignKeys(profile: name, path: path)
                }
                // maws created the section if it adds it now, or added it before and still holds it.
                created = existing == nil || (previous?.createdSection == true && previous?.stillHeld(in: existing) == true)
                // Without a session token (an IAM user's keys), the section's old one goes.
                try editor.setEntries(
                    [
                        ("aws_access_key_id", credentials.accessKeyID),
                        ("aws_secret_access_key", credentials.secretAccessKey),
                    ] + (credentials.sessionToken.map { [("aws_session_token", $0)] } ?? []),
                    in: name, owned: Set(Self.credentialKeys))
            }
            try ledger.save(
                .init(
                    file: path, section: name, profile: name, keys: Self.credentialKeys, role: principal,
                    accessKeyID: credentials.accessKeyID, createdSection: created, leased: credentials.sessionToken == nil))
        }
    }

    /// Sets `region` in the profile's config section, unless the person chose a region there
    /// themselves. With `checkOnly`, only finds out whether the file can be edited so.
    private func writeRegion(_ region: String, for name: String, checkOnly: Bool = false) throws {
        let section = AWSFiles.configSection(for: name)
        let file = SharedFile(path: files.config, holdsSecrets: false)
        try file.withLock {
            let previous = ledger.record(file: files.config, section: section)
            var wrote = false
            var created = false
            let edit = { (editor: inout INIEditor) throws in
                let existing = editor.entries(in: section)
                let ours = previous.map { $0.keys.contains("region") && $0.stillHeld(in: existing) } ?? false
                if !ours, existing?["region"] != nil { return }
                created = existing == nil || (ours && previous?.createdSection == true)
                try editor.setEntries([("region", region)], in: section, owned: ["region"])
                wrote = true
            }
            if checkOnly { return try file.check(edit) }
            try file.update(edit)
            if wrote {
                try ledger.save(
                    .init(
                        file: files.config, section: section, profile: name, keys: ["region"], region: region,
                        createdSection: created))
            }
        }
    }

    /// The `credential_process` document (version 1) for `assumed`, as one line.
    package static func credentialProcessLine(for assumed: AssumedRole) -> String {
        credentialProcessLine(credentials: assumed.credentials, accountID: assumed.role.accountID)
    }

    /// The `credential_process` document (version 1), as one line; `SessionToken` only when the
    /// credentials have one.
    package static func credentialProcessLine(credentials: AWSCredentials, accountID: String) -> String {
        JSONWriter.compactLine(
            [
                ("AccessKeyId", .string(credentials.accessKeyID)),
                ("AccountId", .string(accountID)),
                ("Expiration", .string(ISO8601.format(credentials.expiration))),
                ("SecretAccessKey", .string(credentials.secretAccessKey)),
            ] + (credentials.sessionToken.map { [("SessionToken", .string($0))] } ?? []) + [("Version", .integer(1))])
    }
}

package enum ProfileError: MawsError, Equatable {
    case foreignKeys(profile: String, path: String)

    package var description: String {
        switch self {
        case .foreignKeys(let profile, let path):
            return "profile [\(profile)] in \(path) holds long-lived keys that maws did not write; "
                + "maws will not replace them. Choose another name with --profile"
        }
    }
}
