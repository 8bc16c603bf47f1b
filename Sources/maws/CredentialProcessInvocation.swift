import MawsCore

/// What `maws credential-process` was asked to do, whichever parser read the command line
/// (`CredentialProcessCommand` or the `HotPath` scanner).
struct CredentialProcessInvocation: Equatable {
    var configFiles: [String] = []
    var verbose = false
    var signIn = SignInSettings()

    /// Why these options cannot go together, or nil (see `LoginInvocation.invalidity`).
    var invalidity: String? {
        guard signIn.roleARN != nil else { return "credential-process needs --role-arn" }
        return signIn.invalidity
    }

    func run() throws {
        let (environment, diagnostics, config) = try CommandContext.load(configFiles: configFiles, verbose: verbose).parts
        let result = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: false).run()
        Diagnostics.writeStandardOutput(CredentialOutput.credentialProcessLine(for: result.assumed))
    }
}
