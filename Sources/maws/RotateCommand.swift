import ArgumentParser
import MawsCore

/// `maws rotate`: replace a profile's access key.
struct RotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace a profile's access key with a new one, safely.",
        discussion: """
            iam:CreateAccessKey, then a check that the new key works (retried while IAM catches up), \
            then the new key is written where the old one lived (plaintext or encrypted), and only then \
            is the old key deleted. If a step fails the new key is deleted and the old one stays valid.
            """
    )

    @OptionGroup var user: UserProfileOptions

    func run() throws {
        let (sessions, environment) = try user.sessions()
        let result = try KeyRotation(sessions: sessions, profileName: user.profileName(environment)).run()
        sessions.diagnostics.info(
            "maws: rotated \(result.oldKeyID) to \(result.newKeyID), stored in \(result.storedIn); the old key is deleted")
    }
}
