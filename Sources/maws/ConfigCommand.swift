import ArgumentParser
import Glibc
import MawsCore

/// `maws config`: generate AWS configuration from what maws can sign in to.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Write an AWS profile per role you may use into ~/.aws/config.",
        subcommands: [Populate.self]
    )

    struct Populate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a [profile NAME] per role the roles API lists, using maws credential-process.",
            discussion: """
                Each profile gets `credential_process = maws credential-process --role-arn ARN` (this maws, by \
                its absolute path) and the configured region, in $AWS_CONFIG_FILE or ~/.aws/config. Only \
                sections maws created are ever changed; --prune removes those whose role is no longer listed.
                """
        )

        @OptionGroup var common: CommonOptions
        @OptionGroup var signIn: SignInOptions

        @Option(help: ArgumentHelp("Name the profiles PREFIX-ROLE instead of ALIAS-ROLE.", valueName: "PREFIX"))
        var prefix: String?

        @Flag(help: "Remove the profiles maws created for roles no longer listed.")
        var prune = false

        @Flag(help: "Print the change as a diff and write nothing.")
        var dryRun = false

        func validate() throws {
            if let prefix { _ = try ProfileName.validated(prefix + "-x", source: "--prefix") }
        }

        func run() throws {
            let (environment, diagnostics, config) = try CommandContext.load(configFiles: common.configFiles, verbose: common.verbose).parts
            guard let maws = ExecutablePath.ofThisProgram() else {
                throw ValidationError("cannot find this program's own path (/proc/self/exe)")
            }
            let broker = try SignInSettings(roleARN: nil, noCache: signIn.noCache, noBrowser: signIn.noBrowser)
                .broker(config: config, environment: environment, diagnostics: diagnostics, interactive: true)
            let directory = try broker.roles()
            let configFiles = common.configFiles.flatMap { ["-c", Self.absolute($0)] }
            let population = ProfilePopulation(
                files: AWSFiles(environment: environment), ledger: WrittenProfiles(environment: environment),
                program: maws, options: configFiles, region: config.region, prefix: prefix)
            let outcome = try population.apply(directory, prune: prune, dryRun: dryRun)
            if let before = outcome.before, let after = outcome.after {
                Diagnostics.writeStandardOutput(LineDiff.unified(before, after, name: population.files.config))
            }
            for name in outcome.skipped {
                diagnostics.warning("profile \(name) exists and maws did not write it; left as it is")
            }
            let verb = dryRun ? "would write" : "wrote"
            diagnostics.info(
                "maws: \(verb) \(outcome.written.count) profile\(outcome.written.count == 1 ? "" : "s") in \(population.files.config)"
                    + (outcome.removed.isEmpty ? "" : "; \(dryRun ? "would remove" : "removed") \(outcome.removed.joined(separator: ", "))")
            )
        }

        static func absolute(_ path: String) -> String {
            if path.hasPrefix("/") { return path }
            var buffer = [CChar](repeating: 0, count: 4097)
            guard getcwd(&buffer, buffer.count) != nil else { return path }
            return String(cString: buffer) + "/" + path
        }
    }
}
