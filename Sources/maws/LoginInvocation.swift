import MawsCore

/// What `maws [login]` was asked to do, whichever parser read the command line: swift-argument-
/// parser (`LoginCommand`) or, for the invocations that run on every credential request, the
/// `HotPath` scanner. Running it is the same either way.
struct LoginInvocation: Equatable {
    var configFiles: [String] = []
    var verbose = false
    var signIn = SignInSettings()
    var batch = false
    var output: OutputFormat?
    var profile: String?
    var shell: ShellDialect = .sh
    var webConsole = false
    var printURL = false
    var destination: String?
    var consoleRegion: String?
    var logoutFirst = false

    /// Why these options cannot go together, or nil. swift-argument-parser reports it as a usage
    /// error; the scanner hands such a command line to swift-argument-parser.
    var invalidity: String? {
        if let reason = signIn.invalidity { return reason }
        if let profile {
            do {
                _ = try ProfileName.validated(profile, source: "--profile")
            } catch {
                return error.description
            }
        }
        if batch && signIn.roleARN == nil {
            return "--batch needs --role-arn: without a role, maws would have to ask which one to use"
        }
        if webConsole && printURL {
            return "--web-console and --print-url exclude each other: open the console, or print its URL"
        }
        if !webConsole && !printURL && (destination != nil || consoleRegion != nil || logoutFirst) {
            return "--destination, --region and --logout-first go with --web-console or --print-url"
        }
        return nil
    }

    func run() throws {
        let (environment, diagnostics, config) = try CommandContext.load(configFiles: configFiles, verbose: verbose).parts
        let output = try CredentialOutput.chosen(
            format: self.output, profile: profile, dialect: shell, config: config, environment: environment)

        // Checked before signing in: a mistyped destination must not cost a browser round trip.
        let destination = try ConsoleDestination(self.destination, region: consoleRegion, base: config.consoleDestination)
        let result = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: !batch).run()

        if printURL || webConsole {
            let console = FederationSignIn(
                federationURL: config.federationURL, destination: destination.url, issuer: result.issuer,
                logoutFirst: logoutFirst || config.consoleLogoutFirst, http: CurlHTTPClient(network: config.network(environment)))
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
