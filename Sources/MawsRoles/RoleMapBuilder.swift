import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Scans every configured account's roles and maps groups to the federated roles they may assume,
/// and accounts to their aliases (README, "Setting up your organisation", step 4).
package struct RoleMapBuilder: Sendable {
    package var config: BuilderConfig
    package var api: AWSAccountAPI
    /// The builder's own credentials, used to assume each account's reader role.
    package var credentials: SigV4Signer.Credentials
    package var diagnostics: Diagnostics

    package init(config: BuilderConfig, api: AWSAccountAPI, credentials: SigV4Signer.Credentials, diagnostics: Diagnostics) {
        self.config = config
        self.api = api
        self.credentials = credentials
        self.diagnostics = diagnostics
    }

    /// `{"GROUP": ["ROLE_ARN", ...]}`, sorted.
    package typealias GroupRoleMap = [String: [String]]
    /// `{"ACCOUNT": ["alias", ...]}`, sorted.
    package typealias AliasMap = [String: [String]]

    package struct Skipped: Codable, Sendable, Equatable {
        package var role: String
        package var reason: String
    }

    package struct Result: Sendable {
        package var groupRoleMap: GroupRoleMap
        package var aliases: AliasMap
        package var skipped: [Skipped]
        package var failedAccounts: [Skipped]
    }

    private struct AccountScan: Sendable {
        var grants: [(group: String, role: String)] = []
        var aliases: [String] = []
        var skipped: [Skipped] = []
        var failure: String?
    }

    package func build() throws -> Result {
        let policies = config.providers.map { TrustPolicy(provider: $0.name, clientID: $0.clientID) }
        let scans = parallelMap(config.accounts, limit: config.parallelism) { account in scan(account, policies: policies) }

        var map: GroupRoleMap = [:]
        var aliases: AliasMap = try manualAliases()
        var skipped: [Skipped] = []
        var failed: [Skipped] = []
        for (account, scan) in zip(config.accounts, scans) {
            if let failure = scan.failure {
                failed.append(Skipped(role: account.readerRole.description, reason: failure))
                continue
            }
            for (group, role) in scan.grants { map[group, default: []].append(role) }
            if !scan.aliases.isEmpty { aliases[account.id] = Array(Set(aliases[account.id, default: []] + scan.aliases)).sorted() }
            skipped += scan.skipped
        }
        return Result(
            groupRoleMap: map.mapValues { Array(Set($0)).sorted() }, aliases: aliases,
            skipped: skipped.sorted { $0.role < $1.role }, failedAccounts: failed)
    }

    private func scan(_ account: BuilderConfig.Account, policies: [TrustPolicy]) -> AccountScan {
        var scan = AccountScan()
        do {
            let reader = try api.assumeRole(
                credentials, role: account.readerRole, sessionName: "maws-roles-builder",
                externalID: nil, durationSeconds: 900, mfaSerial: nil, mfaCode: nil)
            let signing = SigV4Signer.Credentials(
                accessKeyID: reader.credentials.accessKeyID,
                secretAccessKey: reader.credentials.secretAccessKey,
                sessionToken: reader.credentials.sessionToken)
            for role in try api.roles(signing) {
                // A role counts once per accepted provider its trust policy admits groups of.
                let outcomes = policies.map { $0.analyze(role.trustPolicy, account: account.id) }
                var granted = false
                for case .groups(let grants) in outcomes {
                    granted = true
                    for grant in grants { for group in grant.groups { scan.grants.append((group, role.arn)) } }
                }
                if !granted,
                    let reason = outcomes.lazy.compactMap({ outcome -> String? in
                        if case .unsupported(let reason) = outcome { return reason } else { return nil }
                    }).first
                {
                    scan.skipped.append(Skipped(role: role.arn, reason: reason))
                }
            }
            scan.aliases = try api.accountAliases(signing)
            diagnostics.debug("account \(account.id): \(scan.grants.count) group grants, \(scan.skipped.count) roles skipped")
        } catch {
            scan.failure = "\(error)"
            diagnostics.warning("account \(account.id) was not scanned: \(error)")
        }
        return scan
    }

    private func manualAliases() throws -> AliasMap {
        guard let path = config.manualAliasesPath else { return [:] }
        guard let text = try SharedFile(path: path, holdsSecrets: false).text() else { throw ConfigError.fileNotFound(path: path) }
        do {
            return try JSONReader.decode(AliasMap.self, from: Data(text.utf8))
        } catch {
            throw ConfigError.invalidSetting(source: path, reason: "expected {\"ACCOUNT\": [\"alias\", ...]}")
        }
    }

    /// Builds, writes, reports skipped roles; returns a one-line summary and whether an account failed.
    package func buildAndWrite() throws -> (summary: String, failed: Bool) {
        let result = try build()
        let changed = try write(result)
        for skipped in result.skipped { diagnostics.info("maws-roles: skipped \(skipped.role): \(skipped.reason)") }
        let summary =
            "\(result.groupRoleMap.count) groups, \(Set(result.groupRoleMap.values.joined()).count) roles, "
            + "\(result.skipped.count) skipped, \(result.failedAccounts.count) accounts failed; "
            + (changed.isEmpty ? "nothing changed" : "wrote \(changed.joined(separator: ", "))")
        return (summary, !result.failedAccounts.isEmpty)
    }

    /// Writes the maps (and the report) atomically, each only when its content changed.
    /// Returns the paths that changed.
    package func write(_ result: Result) throws -> [String] {
        var changed: [String] = []
        func save<T: Encodable>(_ value: T, to path: String) throws {
            let bytes = try JSONWriter.encode(value, as: .pretty) + [10]
            if let existing = try? SharedFile(path: path, holdsSecrets: false).text(), Array(existing.utf8) == bytes { return }
            try AtomicFile.write(bytes, to: path, mode: 0o644)
            changed.append(path)
        }
        try save(result.groupRoleMap, to: config.groupRoleMapPath)
        try save(result.aliases, to: config.accountAliasesPath)
        if let report = config.reportPath {
            try save(["skipped": result.skipped, "failed_accounts": result.failedAccounts], to: report)
        }
        return changed
    }
}

/// Maps `items` with at most `limit` running at once, on threads (the calls block on the network).
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) -> R) -> [R] {
    let results = Locked([R?](repeating: nil, count: items.count))
    let next = Locked(0)
    Threads.runAll(count: min(limit, items.count)) {
        while true {
            let index = next.withLock { value -> Int in
                defer { value += 1 }
                return value
            }
            guard index < items.count else { return }
            let result = body(items[index])
            results.withLock { $0[index] = result }
        }
    }
    return results.withLock { $0.map { $0! } }
}
