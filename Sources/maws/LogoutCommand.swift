import ArgumentParser
import MawsCore

/// `maws logout`: removes what maws wrote and prints the lines that clear the shell.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove the credentials maws wrote and clear them from the shell.",
        discussion: """
            Removes the profiles maws wrote (with -o awscli or -o shared) and prints the commands that \
            unset maws's variables: run it as `eval $(maws logout)`. Without --profile or --all, the \
            profile named by $AWS_PROFILE is removed if maws wrote it. Profiles maws did not write are \
            never touched. Vault tokens are revoked at Vault: with --all every one, else those that \
            issued the removed profile's credentials (Vault then deletes the IAM users it made with them).
            """
    )

    @Option(help: ArgumentHelp("Remove this profile.", valueName: "NAME"))
    var profile: String?

    @Flag(help: "Remove every profile maws wrote.")
    var all = false

    @OptionGroup var shell: ShellOption

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr.")
    var verbose = false

    @Option(
        name: [.customShort("c"), .customLong("config")],
        help: ArgumentHelp("A config file read after the default ones (for ca_bundle when revoking Vault tokens).", valueName: "PATH"),
        completion: .file())
    var configFiles: [String] = []

    func validate() throws {
        if all && profile != nil {
            throw ValidationError("--profile and --all exclude each other")
        }
    }

    func run() throws {
        let scope: Logout.Scope = all ? .all : profile.map(Logout.Scope.profile) ?? .current
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: verbose)
        // Logging out must work without a complete config: only its CA bundle matters here.
        let caBundle: CABundleSetting?
        do {
            caBundle = try ConfigLoader(environment: environment, explicitFiles: configFiles).load().config.caBundle
        } catch {
            diagnostics.debug("no usable maws config (\(error)); revoking Vault tokens with the system's CA certificates")
            caBundle = nil
        }
        let http = CurlHTTPClient(network: CABundleSetting.network(caBundle, environment: environment))
        let result = try Logout(scope: scope, environment: environment, dialect: shell.dialect, http: http).run()
        Diagnostics.writeStandardOutput(result.script.text)
        for place in result.removed {
            diagnostics.info("maws: removed \(place)")
        }
        for place in result.leftAlone {
            diagnostics.info("maws: left \(place) as it is: it no longer holds what maws wrote there")
        }
        if result.removed.isEmpty && result.leftAlone.isEmpty && result.failures.isEmpty {
            diagnostics.info("maws: nothing to remove")
        }
        if !result.failures.isEmpty { throw LogoutError.incomplete(result.failures) }
    }
}
