import ArgumentParser
import MawsCore

/// Options every maws command takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: [.customShort("c"), .customLong("config")],
        help: ArgumentHelp("A config file read after the default ones; repeatable, later files win.", valueName: "PATH"),
        completion: .file())
    var configFiles: [String] = []

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr (never secrets).")
    var verbose = false

    func context() throws -> CommandContext {
        try CommandContext.load(configFiles: configFiles, verbose: verbose)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ShellDialect: ExpressibleByArgument {}
extension RolePickerKind: ExpressibleByArgument {}
