import ArgumentParser
import MawsCore
import MawsRoles

/// `maws-roles`: the organisation side of maws.
@main
struct MawsRolesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maws-roles",
        abstract: "The organisation side of maws: the group-role map builder and the ID-token-for-roles API.",
        version: MawsVersion.current,
        subcommands: [BuildCommand.self, ServeCommand.self]
    )
}
