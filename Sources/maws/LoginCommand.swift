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

    @Option(
        help: ArgumentHelp("The AWS profile name for the awscli and shared outputs (default ALIAS-ROLE).", valueName: "NAME"),
        completion: Completions.profiles)
    var profile: String?

    @OptionGroup var shell: ShellOption

    @Flag(name: [.customShort("w"), .customLong("web-console")], help: "Also open the AWS console, signed in as the role.")
    var webConsole = false

    @Flag(help: "Print an AWS console sign-in URL on stdout instead of credentials.")
    var printURL = false

    @Option(
        help: ArgumentHelp(
            "With -w or --print-url: where the console opens, a service (s3), a path (/ec2/home) or a URL.", valueName: "WHERE"))
    var destination: String?

    @Option(help: ArgumentHelp("With -w or --print-url: the console's region.", valueName: "REGION"))
    var region: String?

    @Flag(help: "With -w or --print-url: sign out of the console first, to switch accounts without a private window.")
    var logoutFirst = false

    @Option(
        help: ArgumentHelp(
            "Where to choose among several roles: web (the sign-in's browser tab) or terminal. Default: web when maws opens a browser.",
            valueName: "WHERE"))
    var picker: RolePickerKind?

    var invocation: LoginInvocation {
        LoginInvocation(
            configFiles: common.configFiles, verbose: common.verbose, signIn: signIn.settings.picking(picker), batch: batch, output: output,
            profile: profile, shell: shell.dialect,
            webConsole: webConsole, printURL: printURL, destination: destination, consoleRegion: region, logoutFirst: logoutFirst)
    }

    func validate() throws {
        if let reason = invocation.invalidity { throw ValidationError(reason) }
    }

    func run() throws {
        try invocation.run()
    }
}
