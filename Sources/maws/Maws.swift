import ArgumentParser
import MawsCore

/// `maws`: the root command. Its default subcommand is `login`, so that `eval $(maws)` and
/// `maws -r ARN` sign in; the root itself takes no options, so none can shadow a subcommand's.
struct Maws: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maws",
        abstract: "Sign in to AWS with your organisation's identity provider and get temporary credentials.",
        discussion: """
            Run `eval $(maws)`: a browser opens at the identity provider, maws verifies the ID token, \
            asks the roles API which IAM roles you may use, calls STS AssumeRoleWithWebIdentity and \
            prints the credentials. `maws [OPTIONS]` is `maws login [OPTIONS]`; see `maws login --help`.
            """,
        version: MawsVersion.current,
        subcommands: [
            LoginCommand.self, LogoutCommand.self, CredentialProcessCommand.self, ExecCommand.self, ServeCommand.self,
            VaultCommand.self, SessionCommand.self, AssumeCommand.self, WhoamiCommand.self, ImportCommand.self, CryptoCommand.self,
            RotateCommand.self, StatusCommand.self, ConfigCommand.self,
        ],
        defaultSubcommand: LoginCommand.self
    )
}
