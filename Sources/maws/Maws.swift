import ArgumentParser
import MawsCore

/// `maws`: signs in through OIDC and prints credentials, so that `eval $(maws)` works.
struct Maws: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maws",
        abstract: "Sign in to AWS with your organisation's identity provider and get temporary credentials.",
        discussion: """
            maws opens your browser at the identity provider, verifies the ID token, asks the roles API \
            which IAM roles you may use, and calls STS AssumeRoleWithWebIdentity. Use it as \
            `eval $(maws)` or `source <(maws)`; stdout carries only the credentials.
            """,
        version: MawsVersion.current
    )

    @OptionGroup var common: CommonOptions

    @Option(name: [.customShort("r"), .customLong("role-arn")],
            help: ArgumentHelp("The IAM role to assume, skipping the role picker.", valueName: "ARN"))
    var roleARN: String?

    @Flag(name: [.customShort("b"), .long], help: "Never prompt (requires --role-arn).")
    var batch = false

    @Option(name: [.customShort("o"), .long], help: "Output format: envvar (default), awscli, shared, boto or js.")
    var output: OutputFormat?

    @Option(help: ArgumentHelp("The AWS profile name for the awscli and shared outputs.", valueName: "NAME"))
    var profile: String?

    @Flag(help: "Do not use cached data; ask the roles API for fresh data.")
    var noCache = false

    @Flag(help: "Print the sign-in URL on stderr instead of opening a browser.")
    var noBrowser = false

    var role: RoleARN? {
        get throws {
            try roleARN.map { try RoleARN(parsing: $0) }
        }
    }

    func validate() throws {
        do {
            _ = try role
        } catch let error as RoleARNError {
            throw ValidationError(error.description)
        }
        if batch && roleARN == nil {
            throw ValidationError("--batch needs --role-arn: without a role, maws would have to ask which one to use")
        }
    }

    func run() throws {
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: common.verbose)
        let loaded = try common.loadConfig(environment: environment, diagnostics: diagnostics)
        let config = loaded.config

        let format = output ?? config.output
        guard format == .envvar else {
            throw UsageError("output format '\(format.rawValue)' is not available in this build; use -o envvar")
        }

        let login = WebIdentityLogin(
            config: config, environment: environment,
            options: .init(role: try role, batch: batch, openBrowser: !noBrowser, useCache: !noCache),
            http: CurlHTTPClient(), diagnostics: diagnostics)
        let result = try login.run()

        Diagnostics.writeStandardOutput(EnvVarOutput(assumed: result.assumed, promptName: result.promptName).render())
        if config.printRoleARN {
            diagnostics.info("Environment variables set for role \(result.assumed.role)")
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
