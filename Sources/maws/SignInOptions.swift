import ArgumentParser
import MawsCore

/// Options of every command that gets credentials.
struct SignInOptions: ParsableArguments {
    @Option(
        name: [.customShort("r"), .customLong("role-arn")],
        help: ArgumentHelp("The IAM role to assume, skipping the role picker.", valueName: "ARN"),
        completion: Completions.roleARNs)
    var roleARN: String?

    @Flag(help: "Ask the roles API and STS afresh instead of using cached roles and credentials (a cached ID token is still used).")
    var noCache = false

    @Flag(help: "Print the sign-in URL on stderr instead of opening a browser.")
    var noBrowser = false

    var settings: SignInSettings {
        SignInSettings(roleARN: roleARN, noCache: noCache, noBrowser: noBrowser)
    }

    func validate() throws {
        if let reason = settings.invalidity { throw ValidationError(reason) }
    }

    /// A broker for these options (`SignInSettings.broker`).
    func broker(config: MawsConfig, environment: Environment, diagnostics: Diagnostics, interactive: Bool) throws -> CredentialBroker {
        try settings.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: interactive)
    }
}
