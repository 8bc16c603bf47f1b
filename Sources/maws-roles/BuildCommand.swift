import ArgumentParser
import Glibc
import MawsCore
import MawsRoles

/// `maws-roles build`: the group-role map builder.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Scan the configured accounts and write the group-role map and account aliases.",
        discussion: """
            Assumes each account's reader role (with the credentials in AWS_ACCESS_KEY_ID, \
            AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or --profile), reads its roles and \
            aliases, and writes the maps atomically when they changed. Roles whose trust policies \
            cannot be mapped to groups are reported, with the reason.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: ArgumentHelp("The builder config (INI).", valueName: "PATH"))
    var config: String

    @Option(help: ArgumentHelp("Rebuild every this many seconds instead of once.", valueName: "SECONDS"))
    var interval: Int?

    @Option(help: ArgumentHelp("Take the builder's keys from this AWS profile.", valueName: "NAME"))
    var profile: String?

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr.")
    var verbose = false

    func run() throws {
        do {
            try build()
        } catch let error as MawsError {
            Diagnostics.error(error.description, program: "maws-roles")
            throw ExitCode(error.exitCode)
        }
    }

    func build() throws {
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: verbose)
        let config = try BuilderConfig.load(self.config)
        let credentials = try UserSessions.keys(profile: profile, environment: environment) {
            try UserSessions(
                environment: environment, http: CurlHTTPClient(network: config.network(environment)),
                diagnostics: diagnostics, mfaCode: nil)
        }
        let builder = RoleMapBuilder(
            config: config,
            api: AWSAccountAPI(environment: environment, http: CurlHTTPClient(network: config.network(environment))),
            credentials: credentials, diagnostics: diagnostics)
        while true {
            let (summary, failed) = try builder.buildAndWrite()
            diagnostics.info("maws-roles: \(summary)")
            guard let interval else {
                if failed { throw ExitCode(1) }
                return
            }
            sleep(UInt32(interval))
        }
    }
}
