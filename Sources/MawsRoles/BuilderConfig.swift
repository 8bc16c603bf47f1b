import MawsCore

/// The builder's configuration (INI):
///
///     [builder]
///     provider = auth.example.com/          ; the OIDC provider as IAM names it (issuer host/path)
///     client_id = abcdefgh
///     group_role_map = /var/lib/maws-roles/group-role-map.json
///     account_aliases = /var/lib/maws-roles/account-aliases.json
///     manual_aliases = /etc/maws-roles/manual-aliases.json   ; optional
///     report = /var/lib/maws-roles/report.json               ; optional, else stderr
///     parallelism = 4
///
///     [account 123456789012]
///     role_arn = arn:aws:iam::123456789012:role/maws-role-reader
///
/// More providers are accepted with `[provider NAME]` sections, each with `provider` and `client_id`
/// (the `[builder]` keys then become optional). Every map, the manual aliases and the report may be
/// an S3 object (`s3://BUCKET/KEY`) instead of a file.
///
/// Accounts may also come from AWS Organizations, instead of or besides `[account]` sections:
///
///     [organization]
///     reader_role_name = maws-role-reader     ; assumed in every ACTIVE account listed
///     role_arn = arn:aws:iam::111111111111:role/maws-org-reader   ; optional: for ListAccounts
///     exclude = 222222222222 333333333333     ; optional
///
/// An `[account ID]` section names that account's reader role itself, and wins over the organisation's.
package struct BuilderConfig: Sendable, Equatable {
    package struct Provider: Sendable, Equatable {
        /// The issuer host/path as IAM names the OIDC provider.
        package var name: String
        package var clientID: String
    }

    package struct Account: Sendable, Equatable {
        package var id: String
        package var readerRole: RoleARN
    }

    /// The accounts AWS Organizations lists, entered through a role of one name in each.
    package struct Organization: Sendable, Equatable {
        package var readerRoleName: String
        /// Assumed (in the management or a delegated administrator account) to list the accounts;
        /// nil: the builder's own credentials list them.
        package var roleARN: RoleARN?
        package var excluded: Set<String> = []

        /// The reader role of `account`, in the partition of `roleARN` (else `aws`); nil for an
        /// account id that is not one (12 digits).
        package func readerRole(in account: String) -> RoleARN? {
            guard account.count == 12, account.allSatisfy(\.isNumber) else { return nil }
            return try? RoleARN(parsing: "arn:\(roleARN?.partition ?? "aws"):iam::\(account):role/\(readerRoleName)")
        }
    }

    package var providers: [Provider]
    package var groupRoleMap: MapLocation
    package var accountAliases: MapLocation
    package var manualAliases: MapLocation?
    package var report: MapLocation?
    package var parallelism: Int
    package var accounts: [Account]
    package var organization: Organization?
    /// `ca_bundle`: what to trust for AWS's HTTPS, after `AWS_CA_BUNDLE`.
    var caBundle: CABundleSetting?

    /// The CA certificates and proxies for the builder's requests to AWS.
    package func network(_ environment: Environment) -> NetworkSettings {
        CABundleSetting.network(caBundle, environment: environment)
    }

    package static func load(_ path: String) throws -> BuilderConfig {
        guard let config = try loadIfPresent(path) else {
            throw ConfigError.invalidSetting(source: path, reason: "there is no [builder] section")
        }
        return config
    }

    /// The builder of `path`, nil when it has no `[builder]` section.
    package static func loadIfPresent(_ path: String) throws -> BuilderConfig? {
        guard let document = try INIDocument.read(path, syntaxError: { ConfigError.syntax(path: path, line: $0.line, reason: $0.reason) })
        else {
            throw ConfigError.fileNotFound(path: path)
        }
        guard let builder = document.section("builder") else { return nil }
        func required(_ key: String) throws -> String {
            guard let value = builder.entry(key)?.value, !value.isEmpty else {
                throw ConfigError.missingRequired(keys: [key], searched: [path])
            }
            return value
        }
        var parallelism = 4
        if let entry = builder.entry("parallelism") {
            guard let value = Int(entry.value), (1...64).contains(value) else {
                throw ConfigError.invalidValue(
                    path: path, line: entry.line, key: "parallelism", reason: "'\(entry.value)' is not a number from 1 to 64")
            }
            parallelism = value
        }
        var providers: [Provider] = []
        if let name = builder.entry("provider")?.value {
            providers.append(Provider(name: name, clientID: try required("client_id")))
        }
        for section in document.sections where section.name.hasPrefix("provider ") {
            guard let name = section.entry("provider")?.value, let client = section.entry("client_id")?.value else {
                throw ConfigError.invalidValue(
                    path: path, line: section.line, key: section.name,
                    reason: "a provider section needs provider and client_id")
            }
            providers.append(Provider(name: name, clientID: client))
        }
        guard !providers.isEmpty else { throw ConfigError.missingRequired(keys: ["provider", "client_id"], searched: [path]) }
        var accounts: [Account] = []
        for section in document.sections where section.name.hasPrefix("account ") {
            let id = String(section.name.dropFirst("account ".count)).trimmingCharacters(in: " ")
            guard id.count == 12, id.allSatisfy(\.isNumber) else {
                throw ConfigError.invalidValue(
                    path: path, line: section.line, key: section.name, reason: "the account id must be 12 digits")
            }
            guard let entry = section.entry("role_arn") else {
                throw ConfigError.invalidValue(path: path, line: section.line, key: section.name, reason: "role_arn is missing")
            }
            do {
                accounts.append(Account(id: id, readerRole: try RoleARN(parsing: entry.value)))
            } catch {
                throw ConfigError.invalidValue(path: path, line: entry.line, key: "role_arn", reason: error.description)
            }
        }
        func location(_ key: String) throws -> MapLocation? {
            guard let entry = builder.entry(key), !entry.value.isEmpty else { return nil }
            do {
                return try MapLocation(parsing: entry.value)
            } catch {
                throw ConfigError.invalidValue(path: path, line: entry.line, key: key, reason: error.description)
            }
        }
        _ = try required("group_role_map")
        _ = try required("account_aliases")
        var config = BuilderConfig(
            providers: providers, groupRoleMap: try location("group_role_map")!, accountAliases: try location("account_aliases")!,
            manualAliases: try location("manual_aliases"), report: try location("report"),
            parallelism: parallelism, accounts: accounts)
        config.organization = try organization(document, path: path)
        guard !config.accounts.isEmpty || config.organization != nil else {
            throw ConfigError.invalidSetting(source: path, reason: "there are no [account ID] sections and no [organization] section")
        }
        config.caBundle = try CABundleSetting.read(builder, file: path)
        return config
    }

    private static func organization(_ document: INIDocument, path: String) throws -> Organization? {
        guard let section = document.section("organization") else { return nil }
        guard let name = section.entry("reader_role_name") else {
            throw ConfigError.invalidValue(
                path: path, line: section.line, key: "organization",
                reason: "reader_role_name is missing (the role assumed in each account)")
        }
        guard (1...64).contains(name.value.count),
            name.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@_-".contains($0)) })
        else {
            throw ConfigError.invalidValue(
                path: path, line: name.line, key: "reader_role_name", reason: "'\(name.value)' is not an IAM role name")
        }
        var organization = Organization(readerRoleName: name.value)
        if let entry = section.entry("role_arn") {
            do {
                organization.roleARN = try RoleARN(parsing: entry.value)
            } catch {
                throw ConfigError.invalidValue(path: path, line: entry.line, key: "role_arn", reason: error.description)
            }
        }
        if let entry = section.entry("exclude") {
            let ids = entry.value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            guard let bad = ids.first(where: { $0.count != 12 || !$0.allSatisfy(\.isNumber) }) else {
                organization.excluded = Set(ids)
                return organization
            }
            throw ConfigError.invalidValue(path: path, line: entry.line, key: "exclude", reason: "'\(bad)' is not a 12-digit account id")
        }
        return organization
    }
}
