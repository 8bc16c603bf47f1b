import MawsCore

/// The roles API's configuration (INI), beside the builder's:
///
///     [api]
///     well_known_url = https://auth.example.com/.well-known/openid-configuration
///     client_id = abcdefgh
///     groups_claim = amr                       ; the claim holding the person's groups
///     group_role_map = /var/lib/maws-roles/group-role-map.json
///     account_aliases = /var/lib/maws-roles/account-aliases.json
///     rebuild_subject_prefix = ad|Example-LDAP|   ; who may trigger a rebuild
///     listen = 127.0.0.1:8080
///     workers = 8                              ; threads for the blocking work (IdP, map files)
///     queue_limit = 64                         ; requests waiting for a worker before 503
package struct APIConfig: Sendable, Equatable {
    package var wellKnownURL: EndpointURL
    package var clientID: String
    package var groupsClaim: String
    package var groupRoleMapPath: String
    package var accountAliasesPath: String
    package var rebuildSubjectPrefix: String?
    package var host: String
    package var port: Int
    /// Threads that run the endpoints (they block on the IdP and the file system).
    package var workers: Int = 8
    /// Requests that may wait for a busy worker; the next ones are answered 503 at once.
    package var queueLimit: Int = 64
    /// `ca_bundle`: what to trust for the IdP's HTTPS, after `AWS_CA_BUNDLE`.
    var caBundle: CABundleSetting?
    /// The shared secret of `POST /filter-groups`, from the file `filter_groups_secret_file`
    /// names; nil leaves the endpoint off (404).
    package var filterGroupsSecret: String?

    /// The CA certificates and proxies for the server's requests to the IdP.
    package func network(_ environment: Environment) -> NetworkSettings {
        CABundleSetting.network(caBundle, environment: environment)
    }

    package static func load(_ path: String) throws -> APIConfig {
        guard let document = try INIDocument.read(path, syntaxError: { ConfigError.syntax(path: path, line: $0.line, reason: $0.reason) })
        else {
            throw ConfigError.fileNotFound(path: path)
        }
        guard let api = document.section("api") else { throw ConfigError.invalidSetting(source: path, reason: "there is no [api] section") }
        func required(_ key: String) throws -> INIDocument.Entry {
            guard let entry = api.entry(key), !entry.value.isEmpty else { throw ConfigError.missingRequired(keys: [key], searched: [path]) }
            return entry
        }
        let wellKnown = try required("well_known_url")
        let url: EndpointURL
        do {
            url = try EndpointURL(validating: wellKnown.value)
        } catch {
            throw ConfigError.invalidValue(path: path, line: wellKnown.line, key: "well_known_url", reason: error.description)
        }
        var host = "127.0.0.1"
        var port = 8080
        if let listen = api.entry("listen") {
            let parts = listen.value.split(separator: ":")
            guard parts.count == 2, let number = Int(parts[1]), (0...65535).contains(number) else {
                throw ConfigError.invalidValue(path: path, line: listen.line, key: "listen", reason: "'\(listen.value)' is not HOST:PORT")
            }
            host = String(parts[0])
            port = number
        }
        func number(_ key: String, in range: ClosedRange<Int>, default value: Int) throws -> Int {
            guard let entry = api.entry(key) else { return value }
            guard let number = Int(entry.value), range.contains(number) else {
                throw ConfigError.invalidValue(
                    path: path, line: entry.line, key: key,
                    reason: "'\(entry.value)' is not a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        var config = APIConfig(
            wellKnownURL: url, clientID: try required("client_id").value,
            groupsClaim: api.entry("groups_claim")?.value ?? "amr",
            groupRoleMapPath: try required("group_role_map").value,
            accountAliasesPath: try required("account_aliases").value,
            rebuildSubjectPrefix: api.entry("rebuild_subject_prefix")?.value, host: host, port: port)
        config.workers = try number("workers", in: 1...256, default: config.workers)
        config.queueLimit = try number("queue_limit", in: 0...100_000, default: config.queueLimit)
        config.caBundle = try CABundleSetting.read(api, file: path)
        if let entry = api.entry("filter_groups_secret_file") {
            let invalid = { (reason: String) in
                ConfigError.invalidValue(path: path, line: entry.line, key: "filter_groups_secret_file", reason: reason)
            }
            guard let bytes = AtomicFile.readPrivate(entry.value, maximumBytes: 4096) else {
                throw invalid("cannot read \(entry.value) as a private file of yours (mode 0600, at most 4 KiB)")
            }
            var secret = Substring(String(decoding: bytes, as: UTF8.self))
            while let last = secret.last, last.isWhitespace { secret.removeLast() }
            guard secret.count >= 16 else { throw invalid("the secret in \(entry.value) is shorter than 16 characters") }
            config.filterGroupsSecret = String(secret)
        }
        return config
    }
}
