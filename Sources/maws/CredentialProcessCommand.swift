import ArgumentParser
import MawsCore

/// `maws credential-process`: the AWS `credential_process` contract, for `~/.aws/config`.
struct CredentialProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential-process",
        abstract: "Print credentials as AWS credential_process JSON.",
        discussion: """
            For ~/.aws/config:  credential_process = maws credential-process --role-arn ARN
            or, for credentials from Vault:  credential_process = maws credential-process --vault-role NAME
            The AWS CLI and every SDK then run maws whenever they need credentials. maws answers from \
            its cache, refreshes by itself, and opens the browser only when a sign-in is needed. It \
            never reads from stdin.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var signIn: SignInOptions
    @OptionGroup var vault: VaultRoleOption

    var invocation: CredentialProcessInvocation {
        CredentialProcessInvocation(
            configFiles: common.configFiles, verbose: common.verbose, signIn: signIn.settings, vault: vault.request)
    }

    func validate() throws {
        if let reason = invocation.invalidity { throw ValidationError(reason) }
    }

    func run() throws {
        try invocation.run()
    }
}
