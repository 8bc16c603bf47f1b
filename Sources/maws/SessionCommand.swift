import ArgumentParser
import MawsCore

/// `maws session`: an MFA session token for a profile's IAM user keys.
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Get an MFA session token with a profile's IAM user keys.",
        discussion: """
            STS GetSessionToken with the MFA device named by the profile's mfa_serial (or the user's \
            device, found with iam:ListMFADevices). The session is cached until 5 minutes before it \
            expires and shared by every profile with the same mfa_serial. Use: eval $(maws session).
            """
    )

    @OptionGroup var user: UserProfileOptions
    @OptionGroup var output: SessionOutputOptions

    func run() throws {
        let (sessions, name, delivery) = try output.start(user)
        let session = try sessions.session(profileName: name, durationSeconds: output.duration)
        try delivery.deliver(
            .init(
                credentials: session.credentials, accountID: session.identity.account,
                promptName: "\(name)-session", principal: session.identity.arn), diagnostics: sessions.diagnostics)
    }
}
