#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Gets credentials for a role, doing as little as the cache allows:
///
/// 1. With `-r` and valid cached credentials: nothing else, no network, no crypto (the warm path).
/// 2. Otherwise an ID token: the cached one while it has more than 5 minutes left, else a refresh
///    grant, else the browser sign-in. Under the cache lock, so concurrent processes sign in once.
/// 3. The roles (cached for an hour), the role choice, then STS (under the lock again, so the
///    first process's credentials serve the others).
///
/// Each step takes the previous one's value; nothing reaches back.
package struct CredentialBroker: Sendable {
    package struct Options: Sendable {
        /// `-r`: skip the picker and assume this role, listed by the roles API or not.
        package var role: RoleARN?
        /// `-b` and the non-interactive commands: never prompt.
        package var batch: Bool
        package var openBrowser: Bool
        /// Accept a pasted redirect URL on the terminal (headless sign-in).
        package var acceptPastedRedirect: Bool
        /// False with `--no-cache`: fresh roles and fresh STS credentials (the ID token is still reused).
        package var useCache: Bool

        package init(role: RoleARN? = nil, batch: Bool = false, openBrowser: Bool = true,
                    acceptPastedRedirect: Bool = false, useCache: Bool = true) {
            self.role = role
            self.batch = batch
            self.openBrowser = openBrowser
            self.acceptPastedRedirect = acceptPastedRedirect
            self.useCache = useCache
        }
    }

    package struct Outcome: Sendable {
        package var assumed: AssumedRole
        package var promptName: String
        package var issuer: String
        /// True when the credentials came from the cache.
        package var cached: Bool
    }

    package var config: MawsConfig
    package var environment: Environment
    package var options: Options
    package var http: HTTPClient
    package var diagnostics: Diagnostics
    package var cache: CacheDirectory
    package var ports: [UInt16]

    package init(config: MawsConfig, environment: Environment, options: Options, http: HTTPClient,
                diagnostics: Diagnostics, ports: [UInt16] = LoopbackListener.registeredPorts) {
        self.config = config
        self.environment = environment
        self.options = options
        self.http = http
        self.diagnostics = diagnostics
        self.cache = CacheDirectory(environment: environment)
        self.ports = ports
    }

    package func run() throws -> Outcome {
        if let role = options.role, options.useCache, let cached = cachedCredentials(for: role, now: Date()) {
            diagnostics.debug("using cached credentials for \(role), valid until \(ISO8601.format(cached.assumed.credentials.expiration))")
            return cached
        }
        let stsEndpoint = try STSEndpoint.resolve(configured: config.stsEndpoint, environment: environment)
        var provider = try self.provider()
        var session = try withCacheLock { try validSession(provider: &provider, refreshAllowed: true) }

        // AWS may call a token expired that maws still thought valid (clock skew): sign in again, once.
        var signedInAgain = false
        while true {
            let directory = try roleDirectory(session: session, keys: provider.keys)
            let role = try chooseRole(from: directory)
            do {
                return try withCacheLock {
                    try credentials(for: role, session: session, promptName: directory.promptName(for: role), endpoint: stsEndpoint)
                }
            } catch STSError.expiredToken where !signedInAgain {
                signedInAgain = true
                diagnostics.info("maws: AWS says the ID token has expired; signing in again")
                session = try withCacheLock { try validSession(provider: &provider, refreshAllowed: false, discardCached: true) }
            }
        }
    }

    // MARK: The warm path

    /// Valid cached credentials for `role` and the person last signed in with this config, found
    /// without touching the network or libcrypto.
    func cachedCredentials(for role: RoleARN, now: Date) -> Outcome? {
        guard let session = cachedSession() else { return nil }
        let subject = session.claims.sub
        let name = CredentialsEntry.name(issuer: session.issuer, clientID: config.clientID, subject: subject, role: role.description)
        guard let entry = cache.read(name, as: CredentialsEntry.self),
              entry.issuer == session.issuer, entry.clientID == config.clientID, entry.subject == subject,
              entry.role == role.description, entry.isUsable(at: now)
        else { return nil }
        return Outcome(assumed: AssumedRole(role: role, credentials: entry.credentials, assumedRoleARN: entry.assumedRoleARN,
                                           durationSeconds: entry.durationSeconds),
                      promptName: entry.promptName, issuer: session.issuer, cached: true)
    }

    private var sessionName: String {
        IDTokenEntry.name(wellKnownURL: config.wellKnownURL.string, clientID: config.clientID)
    }

    /// The cached session of this config's IdP and client, whatever its ID token's age.
    private func cachedSession() -> IDTokenEntry? {
        cache.read(sessionName, as: IDTokenEntry.self).flatMap { entry in
            entry.wellKnownURL == config.wellKnownURL.string && entry.clientID == config.clientID ? entry : nil
        }
    }

    // MARK: The identity provider

    struct Provider {
        var metadata: ProviderMetadata
        var keys: JSONWebKeySet
    }

    /// The discovery document and JWKS, from the cache while less than a day old.
    func provider() throws -> Provider {
        let name = ProviderEntry.name(wellKnownURL: config.wellKnownURL.string)
        if let entry = cache.read(name, as: ProviderEntry.self), entry.wellKnownURL == config.wellKnownURL.string,
           Date().timeIntervalSince(entry.fetchedAt) < ProviderEntry.lifetime,
           let keys = try? JSONWebKeySet(json: Data(entry.keys.utf8)) {
            return Provider(metadata: entry.metadata, keys: keys)
        }
        diagnostics.debug("reading the OIDC discovery document at \(config.wellKnownURL)")
        let metadata = try ProviderMetadata.discover(config.wellKnownURL, http: http)
        let provider = Provider(metadata: metadata, keys: try metadata.fetchKeys(http: http))
        save(provider)
        return provider
    }

    private func save(_ provider: Provider) {
        let keys = (try? JSONEncoder().encode(provider.keys.document)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let entry = ProviderEntry(wellKnownURL: config.wellKnownURL.string, metadata: provider.metadata,
                                  keys: keys, fetchedAt: Date())
        store(entry, as: ProviderEntry.name(wellKnownURL: config.wellKnownURL.string))
    }

    /// Verifies `token`, fetching the JWKS once more if its key is unknown (the IdP rotated keys).
    func verify(_ token: String, nonce: String?, provider: inout Provider) throws -> IDToken {
        let verifier = IDTokenVerifier(issuer: provider.metadata.issuer, clientID: config.clientID, expectedNonce: nonce)
        do {
            return try verifier.verify(token, keys: provider.keys)
        } catch TokenError.unknownKey {
            diagnostics.debug("the ID token's key is not in the cached JWKS; fetching it again")
            provider.keys = try provider.metadata.fetchKeys(http: http)
            save(provider)
            return try verifier.verify(token, keys: provider.keys)
        }
    }

    // MARK: The ID token

    /// A session whose ID token has more than 5 minutes left: cached, refreshed, or signed in anew.
    func validSession(provider: inout Provider, refreshAllowed: Bool, discardCached: Bool = false) throws -> IDTokenEntry {
        let issuer = provider.metadata.issuer
        let name = sessionName
        // A session verified against another issuer (the IdP moved) is no use.
        let cached = cachedSession().flatMap { $0.issuer == issuer ? $0 : nil }
        if let cached, !discardCached {
            if cached.isUsable(at: Date()) {
                diagnostics.debug("using the cached ID token of \(cached.claims.sub), valid until \(ISO8601.format(cached.claims.exp))")
                return cached
            }
        }
        if refreshAllowed, let cached, let refreshToken = cached.refreshToken {
            do {
                let session = try refresh(refreshToken, previous: cached, provider: &provider)
                store(session, as: name)
                return session
            } catch {
                diagnostics.debug("the refresh grant failed (\(error)); signing in with the browser")
            }
        }
        let session = try browserSignIn(provider: &provider)
        store(session, as: name)
        return session
    }

    private func refresh(_ refreshToken: String, previous: IDTokenEntry, provider: inout Provider) throws -> IDTokenEntry {
        let tokenEndpoint = try provider.metadata.endpoints().token
        diagnostics.debug("refreshing the ID token at \(tokenEndpoint.host)")
        let tokens = try TokenResponse.request(tokenEndpoint, fields: [
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
            ("client_id", config.clientID),
            ("scope", config.scope),
        ], http: http)
        let token = try verify(tokens.idToken, nonce: nil, provider: &provider)
        // OpenID Connect Core §12.2: a refreshed ID token is about the same person.
        guard token.claims.sub == previous.claims.sub else {
            throw TokenError.malformed("the refreshed ID token is for another subject")
        }
        return IDTokenEntry(wellKnownURL: config.wellKnownURL.string, issuer: provider.metadata.issuer, clientID: config.clientID,
                            idToken: token.compact, claims: token.claims, refreshToken: tokens.refreshToken ?? refreshToken,
                            savedAt: Date())
    }

    private func browserSignIn(provider: inout Provider) throws -> IDTokenEntry {
        let signIn = BrowserSignIn(endpoints: try provider.metadata.endpoints(), clientID: config.clientID, scope: config.scope,
                                   http: http, browser: BrowserLauncher(environment: environment),
                                   openBrowser: options.openBrowser, acceptPastedRedirect: options.acceptPastedRedirect,
                                   timeout: .seconds(config.loginTimeout), ports: ports, diagnostics: diagnostics)
        let result = try signIn.run()
        let token = try verify(result.tokens.idToken, nonce: result.request.nonce, provider: &provider)
        return IDTokenEntry(wellKnownURL: config.wellKnownURL.string, issuer: provider.metadata.issuer, clientID: config.clientID,
                            idToken: token.compact, claims: token.claims, refreshToken: result.tokens.refreshToken,
                            savedAt: Date())
    }

    // MARK: Roles

    /// `keys` is the JWKS the roles API contract forwards as `key`.
    func roleDirectory(session: IDTokenEntry, keys: JSONWebKeySet) throws -> RoleDirectory {
        let url = config.idTokenForRolesURL.string
        let name = RolesEntry.name(url: url, issuer: session.issuer, subject: session.claims.sub)
        if options.useCache, let entry = cache.read(name, as: RolesEntry.self), entry.url == url,
           entry.issuer == session.issuer, entry.subject == session.claims.sub,
           Date().timeIntervalSince(entry.fetchedAt) < RolesEntry.lifetime {
            diagnostics.debug("using the roles cached at \(ISO8601.format(entry.fetchedAt))")
            return RoleDirectory(roles: entry.roles.compactMap { try? RoleARN(parsing: $0) }, aliases: entry.aliases)
        }
        let api = RolesAPI(url: config.idTokenForRolesURL, http: http)
        do {
            let directory = try api.roles(idToken: session.idToken, keys: keys.document, useCache: options.useCache) { skipped in
                diagnostics.warning("roles API: \(skipped); skipped")
            }
            store(RolesEntry(url: url, issuer: session.issuer, subject: session.claims.sub,
                             roles: directory.roles.map(\.description), aliases: directory.aliases, fetchedAt: Date()), as: name)
            return directory
        } catch let error as MawsError where options.role != nil {
            // With -r the roles API only supplies the account alias: go on without it.
            diagnostics.warning("\(error); continuing without account aliases")
            return RoleDirectory(roles: [], aliases: [:])
        }
    }

    func chooseRole(from directory: RoleDirectory) throws -> RoleARN {
        if let role = options.role {
            if !directory.roles.isEmpty && !directory.roles.contains(role) {
                diagnostics.debug("\(role) is not among the roles the roles API lists for you; trying it anyway")
            }
            return role
        }
        switch directory.roles.count {
        case 0:
            throw RolesError.noRoles
        case 1:
            diagnostics.debug("the roles API lists one role for you: \(directory.roles[0])")
            return directory.roles[0]
        default:
            guard !options.batch else { throw RolesError.noTerminal }
            return try RolePicker(menu: RoleMenu(directory: directory)).choose()
        }
    }

    // MARK: STS

    /// Cached credentials (another process may just have fetched them), else `AssumeRoleWithWebIdentity`.
    private func credentials(for role: RoleARN, session: IDTokenEntry, promptName: String, endpoint: EndpointURL) throws -> Outcome {
        let name = CredentialsEntry.name(issuer: session.issuer, clientID: config.clientID, subject: session.claims.sub,
                                         role: role.description)
        if options.useCache, let cached = cachedCredentials(for: role, now: Date()) {
            return cached
        }
        let assumed = try assume(role, session: session, endpoint: endpoint)
        store(CredentialsEntry(issuer: session.issuer, clientID: config.clientID, subject: session.claims.sub,
                               role: role.description, credentials: assumed.credentials,
                               assumedRoleARN: assumed.assumedRoleARN, durationSeconds: assumed.durationSeconds,
                               promptName: promptName), as: name)
        return Outcome(assumed: assumed, promptName: promptName, issuer: session.issuer, cached: false)
    }

    /// `AssumeRoleWithWebIdentity`, stepping the duration down while the role's MaxSessionDuration
    /// is lower, and remembering the duration that worked.
    func assume(_ role: RoleARN, session: IDTokenEntry, endpoint: EndpointURL) throws -> AssumedRole {
        let store = RoleDurationStore(cacheDirectory: cache.path)
        let remembered = store.duration(for: role).flatMap { $0 <= config.durationSeconds ? $0 : nil }
        let sts = STSClient(endpoint: endpoint, http: http)
        let sessionName = RoleSessionName.make(email: session.claims.email, subject: session.claims.sub)
        var lastRefusal = ""
        for duration in DurationLadder.steps(startingAt: remembered ?? config.durationSeconds) {
            diagnostics.debug("AssumeRoleWithWebIdentity \(role) as \(sessionName) for \(duration) s at \(endpoint.host)")
            do {
                let assumed = try sts.assumeRoleWithWebIdentity(role: role, sessionName: sessionName,
                                                                webIdentityToken: session.idToken, durationSeconds: duration)
                if duration != config.durationSeconds || remembered != nil {
                    do {
                        try store.remember(duration, for: role)
                    } catch {
                        diagnostics.warning("cannot remember the session duration: \(error)")
                    }
                }
                return assumed
            } catch STSError.durationTooLong(let message) {
                lastRefusal = message
                diagnostics.debug("\(duration) s exceeds the role's MaxSessionDuration; trying a shorter session")
            }
        }
        throw STSError.durationTooLong(message: lastRefusal)
    }

    // MARK: Cache plumbing

    private func withCacheLock<T>(_ body: () throws -> T) throws -> T {
        try cache.withLock(waiting: {
            diagnostics.info("maws: waiting for another maws process to finish signing in")
        }, body)
    }

    private func store<Entry: Encodable>(_ entry: Entry, as name: String) {
        cache.store(entry, as: name, diagnostics: diagnostics)
    }
}
