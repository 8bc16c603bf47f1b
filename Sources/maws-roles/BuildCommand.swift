import ArgumentParser
import Glibc
import MawsCore
import MawsRoles

/// `maws-roles build`: the group-role map builder.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Scan the accounts and write the group-role map and account aliases.",
        discussion: """
            Assumes each account's reader role (the [account] sections, and with [organization] \
            every ACTIVE account AWS Organizations lists), reads its roles and aliases, and writes \
            the maps (files or s3:// objects) when they changed, each over the version it read. \
            AWS credentials come from --profile, else the usual chain: AWS_ACCESS_KEY_ID, web \
            identity (AWS_WEB_IDENTITY_TOKEN_FILE), AWS_PROFILE or default, the container \
            endpoint. Roles whose trust policies cannot be mapped to groups, and accounts that \
            cannot be entered, are reported with the reason.
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
        let chain = AWSCredentialChain(
            profile: profile, environment: environment, network: config.network(environment), diagnostics: diagnostics)
        let builder = RoleMapBuilder.standard(config: config, chain: chain, environment: environment, diagnostics: diagnostics)
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
