import ArgumentParser
import MawsCore

/// `maws login` (the default): signs in and hands over the credentials.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in and print credentials (the default command).",
        discussion: """
            maws opens your browser at the identity provider, verifies the ID token, asks the roles API \
            which IAM roles you may use, and calls STS AssumeRoleWithWebIdentity. Use it as \
            `eval $(maws)` or `source <(maws)`; stdout carries only the credentials.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(name: [.customShort("r"), .customLong("role-arn")],
            help: ArgumentHelp("The IAM role to assume, skipping the role picker.", valueName: "ARN"))
    var roleARN: String?

    @Flag(name: [.customShort("b"), .long], help: "Never prompt (requires --role-arn).")
    var batch = false

    @Option(name: [.customShort("o"), .long], help: "Output format: envvar (default), awscli, shared, boto or js.")
    var output: OutputFormat?

    @Option(help: ArgumentHelp("The AWS profile name for the awscli and shared outputs (default ALIAS-ROLE).", valueName: "NAME"))
    var profile: String?

    @OptionGroup var shell: ShellOption

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
            _ = try profile.map { try ProfileName.validated($0, source: "--profile") }
        } catch let error as MawsError {
            throw ValidationError(error.description)
        }
        if batch && roleARN == nil {
            throw ValidationError("--batch needs --role-arn: without a role, maws would have to ask which one to use")
        }
    }

    func run() throws {
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: common.verbose)
        let config = try common.loadConfig(environment: environment, diagnostics: diagnostics).config
        let profileName = try profile ?? config.profile.map { try ProfileName.validated($0, source: "config key profile") }
        let output = CredentialOutput(format: self.output ?? config.output, dialect: shell.dialect, profile: profileName,
                                      region: config.region, environment: environment)

        let login = WebIdentityLogin(
            config: config, environment: environment,
            options: .init(role: try role, batch: batch, openBrowser: !noBrowser, useCache: !noCache),
            http: CurlHTTPClient(), diagnostics: diagnostics)
        let result = try login.run()

        let delivery = try output.deliver(result.assumed, promptName: result.promptName)
        Diagnostics.writeStandardOutput(delivery.stdout)
        if config.printRoleARN {
            diagnostics.info("\(delivery.summary) for role \(result.assumed.role)")
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ShellDialect: ExpressibleByArgument {}

/// `--shell`: the shell the printed lines are for.
struct ShellOption: ParsableArguments {
    @Option(name: .customLong("shell"),
            help: "The shell to print commands for: sh (bash, zsh; default), fish or powershell.")
    var dialect: ShellDialect = .sh
}
