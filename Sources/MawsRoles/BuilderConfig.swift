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
/// (the `[builder]` keys then become optional).
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

    package var providers: [Provider]
    package var groupRoleMapPath: String
    package var accountAliasesPath: String
    package var manualAliasesPath: String?
    package var reportPath: String?
    package var parallelism: Int
    package var accounts: [Account]
    /// `ca_bundle`: what to trust for AWS's HTTPS, after `AWS_CA_BUNDLE`.
    var caBundle: CABundleSetting?

    /// The CA certificates and proxies for the builder's requests to AWS.
    package func network(_ environment: Environment) -> NetworkSettings {
        CABundleSetting.network(caBundle, environment: environment)
    }

    package static func load(_ path: String) throws -> BuilderConfig {
        guard let document = try INIDocument.read(path, syntaxError: { ConfigError.syntax(path: path, line: $0.line, reason: $0.reason) })
        else {
            throw ConfigError.fileNotFound(path: path)
        }
        guard let builder = document.section("builder") else {
            throw ConfigError.invalidSetting(source: path, reason: "there is no [builder] section")
        }
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
        var config = BuilderConfig(
            providers: providers, groupRoleMapPath: try required("group_role_map"), accountAliasesPath: try required("account_aliases"),
            manualAliasesPath: builder.entry("manual_aliases")?.value, reportPath: builder.entry("report")?.value,
            parallelism: parallelism, accounts: accounts)
        config.caBundle = try CABundleSetting.read(builder, file: path)
        return config
    }
}
