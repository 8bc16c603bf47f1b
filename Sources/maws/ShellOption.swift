import ArgumentParser
import MawsCore

/// `--shell`: the shell the printed lines are for.
struct ShellOption: ParsableArguments {
    @Option(
        name: .customLong("shell"),
        help: "The shell to print commands for: sh (bash, zsh; default), fish or powershell.")
    var dialect: ShellDialect = .sh
}
