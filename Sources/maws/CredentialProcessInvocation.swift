import MawsCore

/// What `maws credential-process` was asked to do, whichever parser read the command line
/// (`CredentialProcessCommand` or the `HotPath` scanner).
struct CredentialProcessInvocation: Equatable {
    var configFiles: [String] = []
    var verbose = false
    var signIn = SignInSettings()
    /// `--vault-role`: the credentials come from Vault.
    var vault: VaultRequest?

    /// Why these options cannot go together, or nil (see `LoginInvocation.invalidity`).
    var invalidity: String? {
        if let vault {
            guard signIn.roleARN == nil else {
                return "--role-arn and --vault-role exclude each other: choose where the credentials come from"
            }
            return vault.invalidity
        }
        guard signIn.roleARN != nil else { return "credential-process needs --role-arn (or --vault-role)" }
        return signIn.invalidity
    }

    func run() throws {
        let (environment, diagnostics, config) = try CommandContext.load(configFiles: configFiles, verbose: verbose).parts
        if let vault {
            let result = try vault.broker(
                signIn: signIn, config: config, environment: environment, diagnostics: diagnostics, interactive: false
            ).run()
            Diagnostics.writeStandardOutput(
                CredentialOutput.credentialProcessLine(credentials: result.handoff.credentials, accountID: result.handoff.accountID))
            return
        }
        let result = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: false).run()
        Diagnostics.writeStandardOutput(CredentialOutput.credentialProcessLine(for: result.assumed))
    }
}
