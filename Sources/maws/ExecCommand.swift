import ArgumentParser
import MawsCore

/// `maws exec`: runs a command with credentials in its environment.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command with the role's credentials in its environment.",
        discussion: """
            maws exec -r ARN -- terraform plan
            The command gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, \
            AWS_SESSION_EXPIRATION (and AWS_REGION when configured). With --server it gets a local \
            container-credentials endpoint instead, so its SDKs fetch fresh credentials by themselves \
            for as long as it runs. maws exits with the command's status, or its signal.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var signIn: SignInOptions

    @Flag(help: "Serve credentials to the command from a local endpoint instead of fixed keys.")
    var server = false

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command and its arguments.", valueName: "COMMAND"))
    var command: [String] = []

    func validate() throws {
        guard !arguments.isEmpty else { throw ValidationError("exec needs a command to run, e.g. maws exec -r ARN -- aws s3 ls") }
    }

    // `validate` cannot change the command (it is not mutating); strip the separator here instead.
    var arguments: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() throws {
        let (environment, diagnostics, config) = try common.context().parts
        let broker = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: true)
        let first = try broker.run()

        var childEnvironment = environment.variables
        for name in CredentialOutput.keyVariables + CredentialOutput.sessionVariables
            + ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"] {
            childEnvironment[name] = nil
        }
        let handoff = CredentialOutput.Handoff(credentials: first.assumed.credentials, accountID: first.assumed.role.accountID,
                                               promptName: first.promptName, principal: first.assumed.role.description)
        var variables = CredentialOutput.sessionEnvironment(handoff, region: config.region)
        if server {
            // Later requests need no picker: pin the role chosen now.
            let pinned = {
                var pinned = broker
                pinned.options.role = first.assumed.role
                pinned.options.batch = true
                return pinned
            }()
            let endpoint = try ContainerCredentialsServer(diagnostics: diagnostics) { try pinned.run().assumed }
            BackgroundThread.start { _ = try? endpoint.serve() }
            variables += endpoint.environment
            variables.removeAll { ["AWS_SESSION_EXPIRATION", "AWS_CREDENTIAL_EXPIRATION"].contains($0.0) }
        } else {
            variables += [("AWS_ACCESS_KEY_ID", first.assumed.credentials.accessKeyID),
                          ("AWS_SECRET_ACCESS_KEY", first.assumed.credentials.secretAccessKey),
                          ("AWS_SESSION_TOKEN", first.assumed.credentials.sessionToken)]
        }
        for (name, value) in variables { childEnvironment[name] = value }
        try ChildProcess.run(arguments, environment: childEnvironment)
    }
}
