import ArgumentParser
import MawsCore

/// `maws serve`: a local container-credentials endpoint for long-running programs.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the role's credentials to AWS SDKs from a local endpoint.",
        discussion: """
            Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN and serves \
            fresh credentials at that address (loopback only; requests without the token, or from another \
            user's programs, get 403) \
            until interrupted. The printed lines also unset the variables that would make an SDK \
            look elsewhere first and point AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at maws's \
            files (keeping your region), as maws exec does. Put the two variables in a long-running program's environment and its \
            SDK keeps itself supplied. maws exec --server does this for one command.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var signIn: SignInOptions
    @OptionGroup var shell: ShellOption

    func validate() throws {
        guard signIn.roleARN != nil else { throw ValidationError("serve needs --role-arn") }
    }

    func run() throws {
        let (environment, diagnostics, config) = try common.context().parts
        let broker = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: false)
        // Sign in now, so that a problem shows before any client asks.
        let first = try broker.run()
        let endpoint = try ContainerCredentialsServer(diagnostics: diagnostics) { try broker.run().handoff }
        // Programs started with these variables find maws's credentials first, whatever the shell and ~/.aws hold.
        let files = try ChildEnvironment(environment: environment, region: config.region).prepareFiles()
        var script = ShellScript(dialect: shell.dialect)
        let variables = files.variables + endpoint.environment
        script.unset(ChildEnvironment.competingVariables.filter { name in !variables.contains { $0.0 == name } })
        for (name, value) in variables { try script.set(name, value) }
        Diagnostics.writeStandardOutput(script.text)
        diagnostics.info("maws: serving credentials for \(first.assumed.role) at \(endpoint.url); Ctrl-C stops")
        try endpoint.serve()
    }
}
