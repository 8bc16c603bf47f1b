import ArgumentParser
import MawsCore

/// `--vault-role`: credentials from Vault instead of the roles API and STS.
struct VaultRoleOption: ParsableArguments {
    @Option(help: ArgumentHelp("Get the credentials from this role of Vault's AWS secrets engine (see maws vault).", valueName: "NAME"))
    var vaultRole: String?

    var request: VaultRequest? { vaultRole.map { VaultRequest(role: $0) } }
}
