import ArgumentParser
import MawsCore

/// Options of the commands for IAM user keys (`session`, `assume`, `whoami`, `import`, `crypto`, `rotate`).
struct UserProfileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The AWS profile (default $AWS_PROFILE, else default).", valueName: "NAME"))
    var profile: String?

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr (never secrets).")
    var verbose = false

    func profileName(_ environment: Environment) -> String {
        AWSProfiles.selected(profile, environment: environment)
    }

    func sessions(mfaCode: String? = nil) throws -> (UserSessions, Environment) {
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: verbose)
        let sessions = try UserSessions(
            environment: environment,
            http: ClockSkewCheckingClient(CurlHTTPClient(network: NetworkSettings(environment: environment)), diagnostics: diagnostics),
            diagnostics: diagnostics, mfaCode: mfaCode)
        return (sessions, environment)
    }
}
