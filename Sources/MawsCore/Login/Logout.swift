/// `maws logout`: removes the key material maws wrote, and only that.
package struct Logout: Sendable {
    package enum Scope: Sendable, Equatable {
        /// The profile the shell uses now (`$AWS_PROFILE`), if maws wrote it.
        case current
        case profile(String)
        case all
    }

    package var scope: Scope
    package var environment: Environment
    package var dialect: ShellDialect
    /// How Vault tokens are revoked (with the config's CA bundle and proxies).
    package var http: HTTPClient

    package init(scope: Scope, environment: Environment, dialect: ShellDialect, http: HTTPClient) {
        self.scope = scope
        self.environment = environment
        self.dialect = dialect
        self.http = http
    }

    package struct Outcome: Sendable {
        /// The lines that clear the shell's maws variables.
        package var script: ShellScript
        /// What was removed, e.g. "[dev] in ~/.aws/credentials" or "2 MFA sessions from CACHE".
        package var removed: [String]
        /// Sections maws wrote once that now hold someone else's keys, left as they are.
        package var leftAlone: [String]
        /// What could not be removed, and why: the run ends with an error after saying the rest.
        package var failures: [String]
    }

    package func run() throws -> Outcome {
        let ledger = WrittenProfiles(environment: environment)
        let records = ledger.records()
        let chosen: [WrittenProfiles.Record]
        switch scope {
        case .all:
            chosen = records
        case .profile(let name):
            chosen = records.filter { $0.profile == name }
            guard !chosen.isEmpty else { throw LogoutError.notWrittenByMaws(profile: name) }
        case .current:
            chosen = environment["AWS_PROFILE"].map { name in records.filter { $0.profile == name } } ?? []
        }

        // The cached key material goes first, so that a file maws cannot edit stops nothing else:
        // every secret with --all, else that of the profiles' roles. Vault tokens are revoked at
        // Vault first (which also ends the IAM users Vault made with them): every one with --all,
        // else those that issued the profiles' credentials.
        var removed: [String] = []
        var failures: [String] = []
        let cache = CacheDirectory(environment: environment)
        let roles = Set(chosen.compactMap(\.role))
        let vaultCredentials = cache.all(VaultCredentialsEntry.self)
        let issuers = Set(vaultCredentials.filter { roles.contains($0.role) }.map(\.tokenAccessor))
        let tokens = cache.all(VaultTokenEntry.self).filter { scope == .all || issuers.contains($0.accessor) }
        let revoked = revoke(tokens, dropping: vaultCredentials, in: cache, failures: &failures)
        if revoked > 0 { removed.append("\(revoked) Vault token\(revoked == 1 ? "" : "s") (revoked at Vault)") }
        let forgotten =
            scope == .all
            ? cache.forget(CacheDirectory.Kind.secrets.filter { $0 != .vaultToken })
            : roles.sorted().flatMap { cache.forget([.credentials, .assumed, .vaultCredentials], role: $0) }
        if !forgotten.isEmpty { removed.append(forgotten.joined(separator: ", ") + " from \(cache.path)") }

        var leftAlone: [String] = []
        for record in chosen {
            let place = "[\(record.section)] in \(record.file)"
            let file = SharedFile(path: record.file, holdsSecrets: record.keys != ["region"])
            // Whether the section still holds what maws wrote is decided under the same lock as the removal.
            do {
                try file.withLock {
                    try file.update { editor in
                        let entries = editor.entries(in: record.section)
                        guard entries != nil else { return }
                        guard record.stillHeld(in: entries) else {
                            leftAlone.append(place)
                            return
                        }
                        if try editor.removeEntries(Set(record.keys), from: record.section) { removed.append(place) }
                    }
                    try ledger.forget([record])
                }
            } catch {
                // Kept in the record, so a later logout tries again.
                failures.append("\(place): \(error)")
            }
        }

        var script = ShellScript(dialect: dialect)
        var names = CredentialOutput.keyVariables + CredentialOutput.sessionVariables
        let removedProfiles = Set(chosen.map(\.profile))
        if let current = environment["AWS_PROFILE"], removedProfiles.contains(current) {
            names.append("AWS_PROFILE")
            if environment["AWS_SHARED_CREDENTIALS_FILE"].map(environment.expandingTilde)
                == AWSFiles(environment: environment).mawsCredentials
            {
                names.append("AWS_SHARED_CREDENTIALS_FILE")
            }
        }
        script.unset(names)
        return Outcome(script: script, removed: removed, leftAlone: leftAlone, failures: failures)
    }

    /// Revokes `tokens` at their Vaults and removes them from the cache; returns how many went. A
    /// token Vault no longer accepts (403) is gone already; one that could not be revoked (Vault
    /// unreachable) stays cached, so a later logout tries again.
    /// `cached` are the Vault credentials in the cache: those of IAM users a revoked token made go too.
    private func revoke(
        _ tokens: [VaultTokenEntry], dropping cached: [VaultCredentialsEntry], in cache: CacheDirectory, failures: inout [String]
    ) -> Int {
        var revoked = 0
        for token in tokens {
            do {
                let address = try EndpointURL(validating: token.address)
                try VaultClient(address: address, namespace: token.namespace.isEmpty ? nil : token.namespace, http: http)
                    .revokeSelf(token: token.clientToken)
            } catch VaultError.refused(_, 403, _) {
                // Expired or revoked already.
            } catch {
                failures.append("the Vault token for \(token.address): \(error)")
                continue
            }
            cache.remove(VaultTokenEntry.fileName(for: token.key))
            // Vault has deleted the IAM users made with the token: their cached keys are dead.
            for dead in cached where dead.tokenAccessor == token.accessor && dead.credentials.sessionToken == nil {
                cache.remove(VaultCredentialsEntry.fileName(for: dead.key))
            }
            revoked += 1
        }
        return revoked
    }
}

package enum LogoutError: MawsError, Equatable {
    case notWrittenByMaws(profile: String)
    case incomplete([String])

    package var description: String {
        switch self {
        case .notWrittenByMaws(let profile):
            return "maws has not written a profile named '\(profile)' (or has removed it already); nothing to remove"
        case .incomplete(let failures):
            return
                "could not remove everything (the rest is removed): \(failures.joined(separator: "; ")); fix that and run maws logout again"
        }
    }
}
