import ArgumentParser
import MawsCore

/// Options of every command that gets credentials.
struct SignInOptions: ParsableArguments {
    @Option(
        name: [.customShort("r"), .customLong("role-arn")],
        help: ArgumentHelp("The IAM role to assume, skipping the role picker.", valueName: "ARN"))
    var roleARN: String?

    @Flag(help: "Ask the roles API and STS afresh instead of using cached roles and credentials (a cached ID token is still used).")
    var noCache = false

    @Flag(help: "Print the sign-in URL on stderr instead of opening a browser.")
    var noBrowser = false

    var role: RoleARN? {
        get throws { try roleARN.map { try RoleARN(parsing: $0) } }
    }

    func validate() throws {
        do {
            _ = try role
        } catch let error as MawsError {
            throw ValidationError(error.description)
        }
    }

    /// A broker for these options. `interactive` allows the role picker and a pasted redirect.
    func broker(config: MawsConfig, environment: Environment, diagnostics: Diagnostics, interactive: Bool) throws -> CredentialBroker {
        // Under SSH a browser here would open on the wrong machine: print the URL and accept the
        // redirect pasted back, unless $BROWSER says how to open one.
        let underSSH = environment["SSH_CONNECTION"] != nil || environment["SSH_TTY"] != nil
        let openBrowser = !noBrowser && !(underSSH && environment["BROWSER"] == nil)
        return CredentialBroker(
            config: config, environment: environment,
            options: .init(
                role: try role, batch: !interactive, openBrowser: openBrowser,
                acceptPastedRedirect: !openBrowser && interactive, useCache: !noCache),
            http: ClockSkewCheckingClient(CurlHTTPClient(), diagnostics: diagnostics), diagnostics: diagnostics)
    }
}
