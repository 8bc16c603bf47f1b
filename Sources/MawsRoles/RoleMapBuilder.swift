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
    package var organizations: OrganizationsAPI
    /// The builder's own credentials, used to assume each account's reader role (asked for before
    /// each scan: they may be refreshed).
    package var credentials: @Sendable () throws -> SigV4Signer.Credentials
    package var store: MapStore
    package var diagnostics: Diagnostics

    package init(
        config: BuilderConfig, api: AWSAccountAPI, organizations: OrganizationsAPI,
        credentials: @escaping @Sendable () throws -> SigV4Signer.Credentials, store: MapStore, diagnostics: Diagnostics
    ) {
        self.config = config
        self.api = api
        self.organizations = organizations
        self.credentials = credentials
        self.store = store
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
        /// How many accounts were scanned (entered or not).
        package var accounts: Int
    }

    private struct AccountScan: Sendable {
        var grants: [(group: String, role: String)] = []
        var aliases: [String] = []
        var skipped: [Skipped] = []
        var failure: String?
    }

    /// The accounts to scan: the `[account]` sections, and the organisation's ACTIVE accounts not
    /// excluded (through the organisation's reader role name unless a section names another).
    package func accountsToScan(_ own: SigV4Signer.Credentials) throws -> [BuilderConfig.Account] {
        guard let organization = config.organization else { return config.accounts }
        var lister = own
        if let role = organization.roleARN {
            lister = try api.assumeRole(
                own, role: role, sessionName: "maws-roles-builder", externalID: nil, durationSeconds: 900, mfaSerial: nil, mfaCode: nil
            ).credentials.signing
        }
        let listed = try organizations.accounts(lister)
        let inactive = listed.filter { $0.state != "ACTIVE" }
        if !inactive.isEmpty { diagnostics.debug("not scanning \(inactive.count) accounts that are not ACTIVE") }
        let named = Set(config.accounts.map(\.id))
        let joined = listed.filter { $0.state == "ACTIVE" && !organization.excluded.contains($0.id) && !named.contains($0.id) }
        return config.accounts
            + joined.compactMap { account in
                guard let role = organization.readerRole(in: account.id) else {
                    diagnostics.warning("ListAccounts listed '\(TerminalText.line(account.id))', which is not an account id; skipped")
                    return nil
                }
                return BuilderConfig.Account(id: account.id, readerRole: role)
            }
    }

    package func build() throws -> Result {
        let own = try credentials()
        let accounts = try accountsToScan(own)
        let policies = config.providers.map { TrustPolicy(provider: $0.name, clientID: $0.clientID) }
        let scans = parallelMap(accounts, limit: config.parallelism) { account in scan(account, own: own, policies: policies) }

        var map: GroupRoleMap = [:]
        var aliases: AliasMap = try manualAliases()
        var skipped: [Skipped] = []
        var failed: [Skipped] = []
        var unreachable = Set<String>()
        for (account, scan) in zip(accounts, scans) {
            if let failure = scan.failure {
                failed.append(Skipped(role: account.readerRole.description, reason: failure))
                unreachable.insert(account.id)
                continue
            }
            for (group, role) in scan.grants { map[group, default: []].append(role) }
            if !scan.aliases.isEmpty { aliases[account.id] = Array(Set(aliases[account.id, default: []] + scan.aliases)).sorted() }
            skipped += scan.skipped
        }
        if !accounts.isEmpty && unreachable.count == accounts.count {
            throw BuilderError.noAccountEntered(count: accounts.count, first: failed.first?.reason ?? "")
        }
        // An account that could not be entered this time keeps the grants and aliases the maps
        // had for it: one broken trust policy must not take everyone's roles there away.
        if !unreachable.isEmpty {
            let (previousMap, previousAliases) = try previousMaps()
            for (group, roles) in previousMap {
                let kept = roles.filter { role in (try? RoleARN(parsing: role)).map { unreachable.contains($0.accountID) } ?? false }
                if !kept.isEmpty { map[group, default: []] += kept }
            }
            for account in unreachable where aliases[account] == nil { aliases[account] = previousAliases[account] }
        }
        return Result(
            groupRoleMap: map.mapValues { Array(Set($0)).sorted() }, aliases: aliases,
            skipped: skipped.sorted { $0.role < $1.role }, failedAccounts: failed, accounts: accounts.count)
    }

    /// The maps as they are now (empty where there are none yet).
    private func previousMaps() throws -> (GroupRoleMap, AliasMap) {
        func read(_ location: MapLocation) throws -> [String: [String]] {
            guard case .object(let bytes, _) = try store.read(location) else { return [:] }
            return (try? JSONReader.decode([String: [String]].self, from: bytes)) ?? [:]
        }
        return (try read(config.groupRoleMap), try read(config.accountAliases))
    }

    private func scan(_ account: BuilderConfig.Account, own: SigV4Signer.Credentials, policies: [TrustPolicy]) -> AccountScan {
        var scan = AccountScan()
        do {
            let reader = try api.assumeRole(
                own, role: account.readerRole, sessionName: "maws-roles-builder",
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
        guard let location = config.manualAliases else { return [:] }
        guard case .object(let bytes, _) = try store.read(location) else { throw ConfigError.fileNotFound(path: location.description) }
        do {
            return try JSONReader.decode(AliasMap.self, from: bytes)
        } catch {
            throw ConfigError.invalidSetting(source: location.description, reason: "expected {\"ACCOUNT\": [\"alias\", ...]}")
        }
    }

    /// Builds, writes, reports skipped roles; returns a one-line summary and whether an account
    /// failed. A write that loses a race with another builder is logged and the whole build runs
    /// once more from fresh data (the other builder's maps may already say the same).
    package func buildAndWrite() throws -> (summary: String, failed: Bool) {
        let started = Date()
        var result = try build()
        let changed: [String]
        do {
            changed = try write(result)
        } catch MapStoreError.lostRace(let location) {
            diagnostics.warning("another builder wrote \(location) meanwhile; building again from fresh data")
            result = try build()
            changed = try write(result)
        }
        for skipped in result.skipped { diagnostics.info("maws-roles: skipped \(skipped.role): \(skipped.reason)") }
        let seconds = Int((Date().timeIntervalSince(started) * 10).rounded())
        let summary =
            "\(result.accounts) accounts in \(seconds / 10).\(seconds % 10) s, \(result.groupRoleMap.count) groups, "
            + "\(Set(result.groupRoleMap.values.joined()).count) roles, \(result.skipped.count) skipped, "
            + "\(result.failedAccounts.count) accounts failed; "
            + (changed.isEmpty ? "nothing changed" : "wrote \(changed.joined(separator: ", "))")
        return (summary, !result.failedAccounts.isEmpty)
    }

    /// Writes the maps (and the report), each only when its content changed and only over the
    /// version read just before (`MapStoreError.lostRace` otherwise). Returns what changed.
    package func write(_ result: Result) throws -> [String] {
        var changed: [String] = []
        func save<T: Encodable>(_ value: T, to location: MapLocation) throws {
            let bytes = try JSONWriter.encode(value, as: .pretty) + [10]
            let condition: MapStore.WriteCondition
            switch try store.read(location) {
            case .object(let existing, _) where existing == bytes: return
            case .object(_, let tag): condition = .ifMatch(tag)
            case .missing, .notModified: condition = .ifAbsent
            }
            try store.write(location, bytes, condition: condition)
            changed.append(location.description)
        }
        try save(result.groupRoleMap, to: config.groupRoleMap)
        try save(result.aliases, to: config.accountAliases)
        if let report = config.report {
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

extension RoleMapBuilder {
    /// The builder of `config` as the commands run it: AWS through the config's network settings,
    /// signing with `chain`'s credentials.
    package static func standard(
        config: BuilderConfig, chain: AWSCredentialChain, environment: Environment, diagnostics: Diagnostics
    ) -> RoleMapBuilder {
        let http = CurlHTTPClient(network: config.network(environment))
        return RoleMapBuilder(
            config: config, api: AWSAccountAPI(environment: environment, http: http),
            organizations: OrganizationsAPI(environment: environment, http: http), credentials: chain.credentials,
            store: MapStore(
                s3: S3Client(environment: environment, http: MapStore.s3HTTP(config.network(environment)), credentials: chain.credentials)),
            diagnostics: diagnostics)
    }
}

package enum BuilderError: MawsError, Equatable {
    case noAccountEntered(count: Int, first: String)

    package var description: String {
        switch self {
        case .noAccountEntered(let count, let first):
            return "none of the \(count) accounts could be entered (the first: \(first)); the maps were left as they were. "
                + "Check the builder's credentials and the reader roles' trust policies"
        }
    }
}
