import ArgumentParser
import MawsCore

/// How `session` and `assume` hand over what they get.
struct SessionOutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: "Output format: envvar (default), awscli, shared, boto or js.")
    var output: OutputFormat = .envvar

    @OptionGroup var shell: ShellOption

    @Option(help: ArgumentHelp("The profile name for the awscli and shared outputs (default PROFILE-maws).", valueName: "NAME"))
    var writeProfile: String?

    @Option(help: ArgumentHelp("Session length in seconds (900 to 43200; default the profile's duration_seconds).", valueName: "SECONDS"))
    var duration: Int?

    @Option(help: ArgumentHelp("The current MFA code (else maws asks on the terminal).", valueName: "CODE"))
    var mfaCode: String?

    func validate() throws {
        if let duration, !(900...43200).contains(duration) {
            throw ValidationError("--duration must be from 900 to 43200 seconds")
        }
        if let mfaCode, mfaCode.count != 6 || !mfaCode.allSatisfy(\.isNumber) {
            throw ValidationError("--mfa-code must be the 6 digits the MFA device shows")
        }
        // A Result, not do/catch: catching this typed throw crashes the Swift 6.3 compiler.
        if let writeProfile,
            case .failure(let error) = Result(catching: { () throws(ConfigError) in
                try ProfileName.validated(writeProfile, source: "--write-profile")
            })
        {
            throw ValidationError(error.description)
        }
    }

    /// What `session` and `assume` start from: the sessions, the AWS profile's name and the output
    /// for its credentials.
    func start(_ user: UserProfileOptions) throws -> (sessions: UserSessions, name: String, delivery: CredentialOutput) {
        let (sessions, environment) = try user.sessions(mfaCode: mfaCode)
        let name = user.profileName(environment)
        let profile = try sessions.profiles.profile(name)
        return (sessions, name, try output(profile: name, region: profile.region, environment: environment))
    }

    /// The output for `profile`'s credentials, checked before anything is fetched. The default
    /// profile name is derived from the AWS profile's name, so it is reduced like other derived names.
    func output(profile: String, region: String?, environment: Environment) throws -> CredentialOutput {
        let output = CredentialOutput(
            format: self.output, dialect: shell.dialect,
            profile: writeProfile ?? ProfileName.derived(from: "\(profile)-maws"),
            region: region, environment: environment)
        try output.checkProfileName(source: "--write-profile")
        return output
    }
}

extension CredentialOutput {
    /// Prints the credentials (and writes the profile) as the commands for IAM users do.
    func deliver(_ handoff: Handoff, diagnostics: Diagnostics) throws {
        let delivery = try deliver(handoff)
        Diagnostics.writeStandardOutput(delivery.stdout)
        diagnostics.info("\(delivery.summary) for \(handoff.principal), valid until \(ISO8601.format(handoff.credentials.expiration))")
    }
}
