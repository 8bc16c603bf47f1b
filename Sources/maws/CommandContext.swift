import MawsCore

/// What every command starts from: the environment, the stderr channel, and the config.
struct CommandContext {
    var environment: Environment
    var diagnostics: Diagnostics
    var config: MawsConfig

    var parts: (Environment, Diagnostics, MawsConfig) { (environment, diagnostics, config) }

    /// Reads the config files (the default ones, then `configFiles`) and says what it read with `verbose`.
    static func load(configFiles: [String], verbose: Bool) throws -> CommandContext {
        let environment = Environment.current
        let diagnostics = Diagnostics(verbose: verbose)
        let loaded = try ConfigLoader(environment: environment, explicitFiles: configFiles).load()
        for warning in loaded.warnings {
            diagnostics.warning(warning)
        }
        diagnostics.debug("configuration read from \(loaded.files.joined(separator: ", "))")
        return CommandContext(environment: environment, diagnostics: diagnostics, config: loaded.config)
    }
}
