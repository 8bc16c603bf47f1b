import ArgumentParser
import Glibc
import MawsCore

/// Entry point. Maps failures to the documented exit codes: 0 success, 1 a runtime failure,
/// 2 a usage or configuration error (swift-argument-parser's own default for those is 64).
@main
enum Main {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if ["-h", "--help", "help"].contains(arguments.first ?? ""), arguments.count == 1 {
            Diagnostics.writeStandardOutput(RootHelp.text())
            exit(ExitStatus.success)
        }
        if let shell = CompletionScript.requestedShell(arguments) {
            Diagnostics.writeStandardOutput(CompletionScript.text(for: shell))
            exit(ExitStatus.success)
        }
        if arguments == ["--version"] {
            // What swift-argument-parser prints for it, without building the command tree first.
            Diagnostics.writeStandardOutput(versionText)
            exit(ExitStatus.success)
        }
        if let invocation = HotPath.scan(arguments) {
            do {
                try invocation.run()
                exit(ExitStatus.success)
            } catch {
                fail(error, command: invocation.commandType)
            }
        }
        let command = Self.command(for: arguments)
        do {
            var parsed = try command.parse(arguments)
            try parsed.run()
        } catch {
            fail(error, command: command.type)
        }
    }

    /// `maws --version`.
    static let versionText = MawsVersion.current + "\n"

    /// Reports `error` in one line and exits with the documented status.
    static func fail(_ error: Error, command: any ParsableCommand.Type) -> Never {
        do {
            throw error
        } catch let error as MawsError {
            Diagnostics.error(error.description)
            exit(error.exitCode)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            if command.exitCode(for: error) == .success {
                // --help and --version: printed on stdout, as asked for.
                command.exit(withError: error)
            }
            // One line, like every other maws error; the usage text is one `--help` away.
            Diagnostics.error("\(command.message(for: error)) (see maws --help)")
            exit(ExitStatus.usage)
        }
    }

    /// Which command type parses `arguments`.
    ///
    /// The two invocations that run on every AWS SDK credential request, `maws [OPTIONS]` (the
    /// default `login`) and `maws credential-process ...`, go straight to their command: parsing
    /// from the root would make swift-argument-parser build the argument sets of all eleven
    /// subcommands first, which is most of the cached-credentials path's time. Everything else
    /// (help, version, other subcommands) is parsed from the root as usual.
    static func command(for arguments: [String]) -> (type: any ParsableCommand.Type, parse: ([String]) throws -> any ParsableCommand) {
        let root: (type: any ParsableCommand.Type, parse: ([String]) throws -> any ParsableCommand) = (
            Maws.self, { try Maws.parseAsRoot($0) }
        )
        let rootOptions: Set<String> = [
            "-h", "--help", "help", "--version", "--generate-completion-script", "--experimental-dump-help",
            "---completion",  // what a completion script runs to ask for option values
        ]
        if arguments.contains(where: rootOptions.contains) { return root }
        guard let first = arguments.first else {
            return (LoginCommand.self, { try LoginCommand.parse($0) })
        }
        if first == "credential-process" {
            return (CredentialProcessCommand.self, { try CredentialProcessCommand.parse(Array($0.dropFirst())) })
        }
        return first.hasPrefix("-") ? (LoginCommand.self, { try LoginCommand.parse($0) }) : root
    }
}
