import MawsCore

/// What `maws credential-process` was asked to do, whichever parser read the command line
/// (`CredentialProcessCommand` or the `HotPathScanner`).
struct CredentialProcessInvocation: Equatable {
    var configFiles: [String] = []
    var verbose = false
    var roleARN: String?
    var noCache = false
    var noBrowser = false

    /// Why these options cannot go together, or nil (see `LoginInvocation.invalidity`).
    var invalidity: String? {
        guard let roleARN else { return "credential-process needs --role-arn" }
        return RoleARNOption.invalidity(roleARN)
    }

    func run() throws {
        let (environment, diagnostics, config) = try CommandContext.load(configFiles: configFiles, verbose: verbose).parts
        let signIn = SignInSettings(roleARN: roleARN, noCache: noCache, noBrowser: noBrowser)
        let result = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: false).run()
        Diagnostics.writeStandardOutput(CredentialOutput.credentialProcessLine(for: result.assumed))
    }
}
