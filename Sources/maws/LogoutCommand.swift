import ArgumentParser
import MawsCore

/// `maws logout`: removes what maws wrote and prints the lines that clear the shell.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove the credentials maws wrote and clear them from the shell.",
        discussion: """
            Removes the profiles maws wrote (with -o awscli or -o shared) and prints the commands that \
            unset maws's variables: run it as `eval $(maws logout)`. Without --profile or --all, the \
            profile named by $AWS_PROFILE is removed if maws wrote it. Profiles maws did not write are \
            never touched.
            """
    )

    @Option(help: ArgumentHelp("Remove this profile.", valueName: "NAME"))
    var profile: String?

    @Flag(help: "Remove every profile maws wrote.")
    var all = false

    @OptionGroup var shell: ShellOption

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr.")
    var verbose = false

    func validate() throws {
        if all && profile != nil {
            throw ValidationError("--profile and --all exclude each other")
        }
    }

    func run() throws {
        let scope: Logout.Scope = all ? .all : profile.map(Logout.Scope.profile) ?? .current
        let result = try Logout(scope: scope, environment: .current, dialect: shell.dialect).run()
        Diagnostics.writeStandardOutput(result.script.text)
        let diagnostics = Diagnostics(verbose: verbose)
        for place in result.removed {
            diagnostics.info("maws: removed \(place)")
        }
        for place in result.leftAlone {
            diagnostics.info("maws: left \(place) as it is: it no longer holds what maws wrote there")
        }
        if result.removed.isEmpty && result.leftAlone.isEmpty && result.failures.isEmpty {
            diagnostics.info("maws: nothing to remove")
        }
        if !result.failures.isEmpty { throw LogoutError.incomplete(result.failures) }
    }
}
