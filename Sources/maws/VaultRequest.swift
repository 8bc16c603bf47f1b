import MawsCore

/// Credentials from a role of Vault's AWS secrets engine (`maws vault --role`, `--vault-role`), as
/// plain values whichever parser read them.
struct VaultRequest: Equatable {
    var role: String
    /// `--ttl` of `maws vault`, in seconds; nil: the config's `vault_ttl`, else the role's default.
    var ttl: Int?

    /// Why this request cannot be made (a role name Vault could not have), or nil.
    var invalidity: String? {
        VaultSettings.isName(role)
            ? nil
            : "'\(TerminalText.line(role))' is not a Vault role name (letters, digits, _ - . @, starting and ending with a letter or digit)"
    }

    /// A broker for this request: the ID token as `signIn` would get it, then Vault.
    func broker(
        signIn: SignInSettings, config: MawsConfig, environment: Environment, diagnostics: Diagnostics, interactive: Bool
    ) throws -> VaultBroker {
        VaultBroker(
            signIn: try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: interactive),
            options: .init(role: role, ttl: ttl ?? config.vault.ttl))
    }
}
