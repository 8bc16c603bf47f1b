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
            `eval $(maws)` or `source <(maws)`; stdout carries only the credentials. Cached credentials, \
            a cached ID token or a refresh token spare the browser when they can.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var signIn: SignInOptions

    @Flag(name: [.customShort("b"), .long], help: "Never prompt (requires --role-arn).")
    var batch = false

    @Option(name: [.customShort("o"), .long], help: "Output format: envvar (default), awscli, shared, boto or js.")
    var output: OutputFormat?

    @Option(help: ArgumentHelp("The AWS profile name for the awscli and shared outputs (default ALIAS-ROLE).", valueName: "NAME"))
    var profile: String?

    @OptionGroup var shell: ShellOption

    @Flag(name: [.customShort("w"), .customLong("web-console")], help: "Also open the AWS console, signed in as the role.")
    var webConsole = false

    @Flag(help: "Print an AWS console sign-in URL on stdout instead of credentials.")
    var printURL = false

    func validate() throws {
        do {
            _ = try profile.map { try ProfileName.validated($0, source: "--profile") }
        } catch let error as MawsError {
            throw ValidationError(error.description)
        }
        if batch && signIn.roleARN == nil {
            throw ValidationError("--batch needs --role-arn: without a role, maws would have to ask which one to use")
        }
        if webConsole && printURL {
            throw ValidationError("--web-console and --print-url exclude each other: open the console, or print its URL")
        }
    }

    func run() throws {
        let (environment, diagnostics, config) = try common.context().parts
        let profileName = try profile ?? config.profile.map { try ProfileName.validated($0, source: "config key profile") }
        let output = CredentialOutput(
            format: self.output ?? config.output, dialect: shell.dialect, profile: profileName,
            region: config.region, environment: environment)
        try output.checkProfileName(source: profile != nil ? "--profile" : "config key profile")

        let result = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: !batch).run()

        if printURL || webConsole {
            let console = FederationSignIn(
                federationURL: config.federationURL, destination: config.consoleDestination.string,
                issuer: result.issuer, http: CurlHTTPClient())
            let url = try console.loginURL(for: result.assumed.credentials)
            if printURL {
                Diagnostics.writeStandardOutput(url + "\n")
                return
            }
            guard try BrowserLauncher(environment: environment).openPrivately(url, timeout: .seconds(60)) else {
                throw ConsoleError.noBrowser
            }
            diagnostics.info("maws: opened the AWS console for \(result.assumed.role)")
        }

        let delivery = try output.deliver(result.assumed, promptName: result.promptName)
        Diagnostics.writeStandardOutput(delivery.stdout)
        if config.printRoleARN {
            diagnostics.info("\(delivery.summary) for role \(result.assumed.role)")
        }
    }
}
