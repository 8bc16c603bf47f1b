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
            AWS_SESSION_EXPIRATION and AWS_REGION. With --server it gets a local \
            container-credentials endpoint instead, so its SDKs fetch fresh credentials by themselves \
            for as long as it runs. Whatever the shell and ~/.aws hold, the command's SDKs find only \
            maws's credentials: AWS_PROFILE, AWS_ROLE_ARN and the like are removed, and its \
            AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are maws's (the config keeps your region). \
            A bare command name is looked up in PATH only, never the current directory. maws exits \
            with the command's status, or its signal.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var signIn: SignInOptions
    @OptionGroup var vault: VaultRoleOption

    @Flag(help: "Serve credentials to the command from a local endpoint instead of fixed keys.")
    var server = false

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command and its arguments.", valueName: "COMMAND"))
    var command: [String] = []

    func validate() throws {
        guard !arguments.isEmpty else { throw ValidationError("exec needs a command to run, e.g. maws exec -r ARN -- aws s3 ls") }
        if let request = vault.request {
            guard signIn.roleARN == nil else {
                throw ValidationError("--role-arn and --vault-role exclude each other: choose where the credentials come from")
            }
            if let reason = request.invalidity { throw ValidationError(reason) }
        }
    }

    // `validate` cannot change the command (it is not mutating); strip the separator here instead.
    var arguments: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() throws {
        let (environment, diagnostics, config) = try common.context().parts
        // A command that cannot run is reported before anyone signs in.
        guard ExecutablePath.resolve(arguments[0], path: environment["PATH"]) != nil else {
            throw ExecError.notFound(command: arguments[0])
        }
        let source = try CredentialSource(
            signIn: signIn.settings, vault: vault.request, config: config, environment: environment, diagnostics: diagnostics)
        let first = try source.handoff()

        var variables = CredentialOutput.sessionEnvironment(first, region: nil)
        // From here until the command runs, no thread may take a signal meant for it.
        ChildProcess.holdSignals()
        if server {
            // Later requests need no picker: pin the role chosen now.
            let pinned = source.pinned(to: first)
            let endpoint = try ContainerCredentialsServer(diagnostics: diagnostics) { try pinned.handoff() }
            if let failure = Threads.startDetached({
                do { try endpoint.serve() } catch { Diagnostics.error("the credentials endpoint stopped: \(error)") }
            }) {
                throw LoopbackServerError.system("cannot start the credentials endpoint's thread: \(failure)")
            }
            variables += endpoint.environment
            variables.removeAll { ["AWS_SESSION_EXPIRATION", "AWS_CREDENTIAL_EXPIRATION"].contains($0.0) }
        } else {
            variables += [
                ("AWS_ACCESS_KEY_ID", first.credentials.accessKeyID),
                ("AWS_SECRET_ACCESS_KEY", first.credentials.secretAccessKey),
            ]
            if let token = first.credentials.sessionToken { variables.append(("AWS_SESSION_TOKEN", token)) }
        }
        let child = try ChildEnvironment(environment: environment, region: config.region).build(adding: variables)
        try ChildProcess.run(arguments, environment: child)
    }
}
