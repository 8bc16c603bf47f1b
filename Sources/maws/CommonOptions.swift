import ArgumentParser
import MawsCore

/// Options every maws command takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: [.customShort("c"), .customLong("config")],
        help: ArgumentHelp("A config file read after the default ones; repeatable, later files win.", valueName: "PATH"))
    var configFiles: [String] = []

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr (never secrets).")
    var verbose = false

    /// What every command starts from: the environment, the stderr channel, and the config.
    struct Context {
        var environment: Environment
        var diagnostics: Diagnostics
        var config: MawsConfig

        var parts: (Environment, Diagnostics, MawsConfig) { (environment, diagnostics, config) }
    }

    func context() throws -> Context {
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: verbose)
        let loaded = try ConfigLoader(environment: environment, explicitFiles: configFiles).load()
        for warning in loaded.warnings {
            diagnostics.warning(warning)
        }
        diagnostics.debug("configuration read from \(loaded.files.joined(separator: ", "))")
        return Context(environment: environment, diagnostics: diagnostics, config: loaded.config)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ShellDialect: ExpressibleByArgument {}
