import MawsCore

/// Where `exec` gets its credentials: a sign-in and STS (`CredentialBroker`), or Vault (`VaultBroker`).
enum CredentialSource: Sendable {
    case signIn(CredentialBroker)
    case vault(VaultBroker)

    init(signIn: SignInSettings, vault: VaultRequest?, config: MawsConfig, environment: Environment, diagnostics: Diagnostics) throws {
        if let vault {
            self = .vault(
                try vault.broker(signIn: signIn, config: config, environment: environment, diagnostics: diagnostics, interactive: true))
        } else {
            self = .signIn(try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: true))
        }
    }

    func handoff() throws -> CredentialOutput.Handoff {
        switch self {
        case .signIn(let broker): try broker.run().handoff
        case .vault(let broker): try broker.run().handoff
        }
    }

    /// This source for later requests, which must not ask which role: the one `first` is for.
    func pinned(to first: CredentialOutput.Handoff) -> CredentialSource {
        switch self {
        case .signIn(var broker):
            if let role = try? RoleARN(parsing: first.principal) { broker.options.role = role }
            broker.options.batch = true
            return .signIn(broker)
        case .vault(var broker):
            broker.signIn.options.batch = true
            return .vault(broker)
        }
    }
}
