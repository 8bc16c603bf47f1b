import MawsCore

/// The roles API's configuration (INI), beside the builder's:
///
///     [api]
///     well_known_url = https://auth.example.com/.well-known/openid-configuration
///     client_id = abcdefgh
///     groups_claim = amr                       ; the claim holding the person's groups
///     group_role_map = s3://example-maws-roles/group-role-map.json   ; or a file path
///     account_aliases = s3://example-maws-roles/account-aliases.json
///     poll_interval = 30                       ; seconds between checks of S3 maps (files: 1 s)
///     rebuild_subject_prefix = ad|Example-LDAP|   ; who may trigger a rebuild
///     rebuild_marker = s3://example-maws-roles/group-role-map.json.rebuilt-at   ; the default
///     listen = 127.0.0.1:8080
///     workers = 8                              ; threads for the blocking work (IdP keys, rebuilds)
///     queue_limit = 64                         ; requests waiting for a worker before 503
///     token_cache_entries = 100000             ; verified ID tokens kept until they expire
///     max_connections = 10000                  ; open connections at most
package struct APIConfig: Sendable, Equatable {
    package var wellKnownURL: EndpointURL
    package var clientID: String
    package var groupsClaim: String
    package var groupRoleMap: MapLocation
    package var accountAliases: MapLocation
    /// Where replicas record the last rebuild through the API (the 5-minute limit).
    package var rebuildMarker: MapLocation
    /// Seconds between checks of maps in S3 (conditional GETs); files are checked every second.
    package var pollInterval: Double = 30
    package var rebuildSubjectPrefix: String?
    package var host: String
    package var port: Int
    /// Threads that run the endpoints (they block on the IdP and the file system).
    package var workers: Int = 8
    /// Requests that may wait for a busy worker; the next ones are answered 503 at once.
    package var queueLimit: Int = 64
    /// Verified ID tokens kept (by hash) until they expire; 0 turns the cache off.
    package var tokenCacheEntries: Int = 100_000
    /// Open connections at most; the next ones are closed at once (the file descriptors stay
    /// bounded whatever the clients do).
    package var maximumConnections: Int = 10_000
    /// `ca_bundle`: what to trust for the IdP's HTTPS, after `AWS_CA_BUNDLE`.
    var caBundle: CABundleSetting?
    /// The shared secret of `POST /filter-groups`, from the file `filter_groups_secret_file`
    /// names; nil leaves the endpoint off (404).
    package var filterGroupsSecret: String?

    package init(
        wellKnownURL: EndpointURL, clientID: String, groupsClaim: String, groupRoleMap: MapLocation, accountAliases: MapLocation,
        rebuildSubjectPrefix: String?, host: String, port: Int
    ) {
        self.wellKnownURL = wellKnownURL
        self.clientID = clientID
        self.groupsClaim = groupsClaim
        self.groupRoleMap = groupRoleMap
        self.accountAliases = accountAliases
        self.rebuildMarker = groupRoleMap.appending(".rebuilt-at")
        self.rebuildSubjectPrefix = rebuildSubjectPrefix
        self.host = host
        self.port = port
    }

    /// How often the maps' sources are checked: S3 every `poll_interval`, files every second
    /// (a file check reads the file, nothing crosses a network).
    package var checkInterval: Double {
        groupRoleMap.isS3 || accountAliases.isS3 ? pollInterval : min(pollInterval, 1)
    }

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
        func location(_ entry: INIDocument.Entry) throws -> MapLocation {
            do {
                return try MapLocation(parsing: entry.value)
            } catch {
                throw ConfigError.invalidValue(path: path, line: entry.line, key: entry.key, reason: error.description)
            }
        }
        var config = APIConfig(
            wellKnownURL: url, clientID: try required("client_id").value,
            groupsClaim: api.entry("groups_claim")?.value ?? "amr",
            groupRoleMap: try location(try required("group_role_map")),
            accountAliases: try location(try required("account_aliases")),
            rebuildSubjectPrefix: api.entry("rebuild_subject_prefix")?.value, host: host, port: port)
        if let marker = api.entry("rebuild_marker") { config.rebuildMarker = try location(marker) }
        config.workers = try number("workers", in: 1...256, default: config.workers)
        config.queueLimit = try number("queue_limit", in: 0...100_000, default: config.queueLimit)
        config.pollInterval = Double(try number("poll_interval", in: 1...3600, default: Int(config.pollInterval)))
        config.tokenCacheEntries = try number("token_cache_entries", in: 0...10_000_000, default: config.tokenCacheEntries)
        config.maximumConnections = try number("max_connections", in: 1...1_000_000, default: config.maximumConnections)
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
