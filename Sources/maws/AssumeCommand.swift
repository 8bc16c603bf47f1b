import ArgumentParser
import MawsCore

/// `maws assume`: a profile's role, through its source profiles.
struct AssumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assume",
        abstract: "Assume a profile's role (role_arn + source_profile), with MFA when mfa_serial is set.",
        discussion: """
            Follows source_profile to the profile with keys; one MFA session (cached per mfa_serial) \
            serves every role, so switching roles asks for no new code. external_id, \
            role_session_name (default the IAM user name) and duration_seconds are honoured; a role \
            assumed with another role's credentials is capped at 1 hour, as AWS requires.
            """
    )

    @OptionGroup var user: UserProfileOptions
    @OptionGroup var output: SessionOutputOptions

    func run() throws {
        let (sessions, name, delivery) = try output.start(user)
        let assumed = try sessions.assume(profileName: name, durationSeconds: output.duration)
        try delivery.deliver(
            .init(
                credentials: assumed.credentials, accountID: assumed.role.accountID,
                promptName: name, principal: assumed.role.description), diagnostics: sessions.diagnostics)
    }
}
