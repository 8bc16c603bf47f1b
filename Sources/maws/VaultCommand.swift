import ArgumentParser
import MawsCore

/// `maws vault`: AWS credentials from HashiCorp Vault, after logging in to it with the ID token.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Get AWS credentials from HashiCorp Vault's AWS secrets engine.",
        discussion: """
            maws signs in with your identity provider as it always does (cached ID token, refresh \
            token, else the browser), logs in to Vault's JWT auth method with the ID token \
            (vault_addr, vault_auth_mount, vault_auth_role, vault_namespace), and reads the role's \
            credentials from the AWS secrets engine (vault_aws_mount). The Vault token is cached until \
            its lease ends and revoked by maws logout. An IAM user's new keys are handed over once \
            AWS accepts them.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("The role of Vault's AWS secrets engine to read.", valueName: "NAME"))
    var role: String

    @Option(
        help: ArgumentHelp(
            "How long STS credentials should last: 3600, 90m, 12h (default vault_ttl, else the role's).", valueName: "DURATION"))
    var ttl: String?

    @Flag(help: "Ask Vault afresh instead of using cached credentials (a cached Vault token is still used).")
    var noCache = false

    @Flag(help: "Print the sign-in URL on stderr instead of opening a browser.")
    var noBrowser = false

    @Option(name: [.customShort("o"), .long], help: "Output format: envvar (default), awscli, shared, boto or js.")
    var output: OutputFormat?

    @Option(help: ArgumentHelp("The AWS profile name for the awscli and shared outputs (default ACCOUNT-ROLE).", valueName: "NAME"))
    var profile: String?

    @OptionGroup var shell: ShellOption

    var request: VaultRequest {
        VaultRequest(role: role, ttl: ttl.flatMap(VaultSettings.seconds))
    }

    func validate() throws {
        if let reason = request.invalidity { throw ValidationError(reason) }
        if let ttl, !(VaultSettings.seconds(ttl).map(VaultSettings.ttlRange.contains) ?? false) {
            throw ValidationError("--ttl must be a duration from 15m to 36h, e.g. 3600, 90m or 12h")
        }
        if let profile {
            do {
                _ = try ProfileName.validated(profile, source: "--profile")
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() throws {
        let (environment, diagnostics, config) = try common.context().parts
        let output = try CredentialOutput.chosen(
            format: self.output, profile: profile, dialect: shell.dialect, config: config, environment: environment)
        let broker = try request.broker(
            signIn: SignInSettings(noCache: noCache, noBrowser: noBrowser), config: config, environment: environment,
            diagnostics: diagnostics, interactive: true)
        let result = try broker.run()
        let delivery = try output.deliver(result.handoff)
        Diagnostics.writeStandardOutput(delivery.stdout)
        if config.printRoleARN {
            diagnostics.info(
                "\(delivery.summary) for \(result.handoff.principal) from Vault role \(role), valid until \(ISO8601.format(result.handoff.credentials.expiration))"
            )
        }
    }
}
