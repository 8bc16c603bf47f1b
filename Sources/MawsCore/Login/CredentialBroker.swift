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
        /// `--picker` or `role_picker`. Nil: in the browser tab of the sign-in when maws opened
        /// one, else on the terminal.
        package var picker: RolePickerKind?

        package init(
            role: RoleARN? = nil, batch: Bool = false, openBrowser: Bool = true,
            acceptPastedRedirect: Bool = false, useCache: Bool = true, picker: RolePickerKind? = nil
        ) {
            self.role = role
            self.batch = batch
            self.openBrowser = openBrowser
            self.acceptPastedRedirect = acceptPastedRedirect
            self.useCache = useCache
            self.picker = picker
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
    /// How the person signs in when no token will do. Nil: the browser flow (`BrowserSignIn`);
    /// tests put a stand-in here.
    package var interactiveSignIn: (@Sendable (ProviderMetadata.Endpoints) throws -> BrowserSignIn.Outcome)?

    package init(
        config: MawsConfig, environment: Environment, options: Options, http: HTTPClient,
        diagnostics: Diagnostics, ports: [UInt16] = LoopbackListener.registeredPorts
    ) {
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
        let provider = try IdentityProvider(wellKnownURL: config.wellKnownURL, cache: cache, http: http, diagnostics: diagnostics)
        let tab = TabSlot()
        do {
            return try signInAndAssume(provider: provider, stsEndpoint: stsEndpoint, tab: tab)
        } catch {
            // A browser tab waiting for the picker says what went wrong instead of waiting on.
            tab.current?.finish(failure: error)
            throw error
        }
    }

    private func signInAndAssume(provider: IdentityProvider, stsEndpoint: EndpointURL, tab: TabSlot) throws -> Outcome {
        var idToken = try withCacheLock { try validIDToken(from: provider, refreshAllowed: true, tab: tab) }

        // AWS may call a token expired that maws still thought valid (clock skew): sign in again, once.
        var signedInAgain = false
        while true {
            let directory = try roleDirectory(for: idToken, keys: provider.keys)
            do {
                if let outcome = try pickInBrowser(from: directory, idToken: idToken, endpoint: stsEndpoint, tab: tab) {
                    return outcome
                }
                let outcome = try credentials(for: try chooseRole(from: directory), in: directory, idToken: idToken, endpoint: stsEndpoint)
                tab.current?.finish(title: "Role assumed", message: Self.assumedMessage(outcome))
                tab.current = nil
                return outcome
            } catch STSError.expiredToken where !signedInAgain {
                signedInAgain = true
                diagnostics.info("maws: AWS says the ID token has expired; signing in again")
                tab.current?.finish(title: "Signing in again", message: "AWS says the ID token has expired; maws is signing in again.")
                tab.current = nil
                idToken = try withCacheLock { try validIDToken(from: provider, refreshAllowed: false, discardCached: true, tab: tab) }
            }
        }
    }

    /// The browser tab a sign-in sent on to the picker, until it has had its last page.
    final class TabSlot: @unchecked Sendable {
        var current: BrowserTab?
    }

    private static func assumedMessage(_ outcome: Outcome) -> String {
        "maws has credentials for \(outcome.assumed.role) (\(outcome.promptName)). You can close this tab and return to the terminal."
    }

    /// The roles the roles API lists for the person (signing in as `run` does when there is no
    /// usable ID token), for `maws config populate`.
    package func roles() throws -> RoleDirectory {
        let provider = try IdentityProvider(wellKnownURL: config.wellKnownURL, cache: cache, http: http, diagnostics: diagnostics)
        let idToken = try withCacheLock { try validIDToken(from: provider, refreshAllowed: true) }
        return try roleDirectory(for: idToken, keys: provider.keys)
    }

    // MARK: The warm path

    /// Valid cached credentials for `role` and the person last signed in with this config, found
    /// without touching the network or libcrypto.
    func cachedCredentials(for role: RoleARN, now: Date) -> Outcome? {
        guard let idToken = cache.entry(IDTokenEntry.self, for: idTokenKey, usableAt: nil),
            let entry = cache.entry(CredentialsEntry.self, for: credentialsKey(idToken, role), usableAt: now)
        else { return nil }
        return Outcome(cached: entry, role: role, issuer: idToken.issuer)
    }

    var idTokenKey: IDTokenEntry.Key {
        IDTokenEntry.Key(wellKnownURL: config.wellKnownURL.string, clientID: config.clientID)
    }

    private func credentialsKey(_ idToken: IDTokenEntry, _ role: RoleARN) -> CredentialsEntry.Key {
        CredentialsEntry.Key(issuer: idToken.issuer, clientID: config.clientID, subject: idToken.claims.sub, role: role.description)
    }

    // MARK: The ID token

    /// An ID token with more than 5 minutes left: cached, refreshed, or signed in anew.
    func validIDToken(
        from provider: IdentityProvider, refreshAllowed: Bool, discardCached: Bool = false, tab: TabSlot? = nil
    ) throws -> IDTokenEntry {
        // A token verified against another issuer (the IdP moved) is no use.
        let cached = cache.entry(IDTokenEntry.self, for: idTokenKey, usableAt: nil).flatMap { $0.issuer == provider.issuer ? $0 : nil }
        if let cached, !discardCached, cached.isUsable(at: Date()) {
            diagnostics.debug("using the cached ID token of \(cached.claims.sub), valid until \(ISO8601.format(cached.claims.exp))")
            return cached
        }
        if refreshAllowed, let cached, let refreshToken = cached.refreshToken {
            do {
                let refreshed = try refresh(refreshToken, previous: cached, provider: provider)
                cache.store(refreshed, diagnostics: diagnostics)
                return refreshed
            } catch {
                diagnostics.debug("the refresh grant failed (\(error)); signing in with the browser")
            }
        }
        let signedIn = try signIn(with: provider, tab: tab)
        cache.store(signedIn, diagnostics: diagnostics)
        return signedIn
    }

    private func refresh(_ refreshToken: String, previous: IDTokenEntry, provider: IdentityProvider) throws -> IDTokenEntry {
        let tokenEndpoint = try provider.metadata.endpoints().token
        diagnostics.debug("refreshing the ID token at \(tokenEndpoint.host)")
        let tokens = try TokenResponse.request(
            tokenEndpoint,
            fields: [
                ("grant_type", "refresh_token"),
                ("refresh_token", refreshToken),
                ("client_id", config.clientID),
                ("scope", config.scope),
            ], http: http)
        let token = try provider.verify(tokens.idToken, clientID: config.clientID, nonce: nil)
        // OpenID Connect Core §12.2: a refreshed ID token is about the same person.
        guard token.claims.sub == previous.claims.sub else {
            throw TokenError.malformed("the refreshed ID token is for another subject")
        }
        return entry(for: token, issuer: provider.issuer, refreshToken: tokens.refreshToken ?? refreshToken)
    }

    private func signIn(with provider: IdentityProvider, tab: TabSlot?) throws -> IDTokenEntry {
        let endpoints = try provider.metadata.endpoints()
        var browserSignIn = BrowserSignIn(
            endpoints: endpoints, clientID: config.clientID, scope: config.scope, http: http,
            browser: BrowserLauncher(environment: environment), openBrowser: options.openBrowser,
            acceptPastedRedirect: options.acceptPastedRedirect, timeout: .seconds(config.loginTimeout), ports: ports,
            diagnostics: diagnostics)
        // The tab goes on to the picker unless no picker can be needed or the terminal is asked for.
        browserSignIn.continueInBrowser = tab != nil && options.role == nil && !options.batch && options.picker != .terminal
        let signedIn = try interactiveSignIn?(endpoints) ?? browserSignIn.run()
        tab?.current = signedIn.tab
        let token = try provider.verify(signedIn.tokens.idToken, clientID: config.clientID, nonce: signedIn.request.nonce)
        return entry(for: token, issuer: provider.issuer, refreshToken: signedIn.tokens.refreshToken)
    }

    private func entry(for token: IDToken, issuer: String, refreshToken: String?) -> IDTokenEntry {
        IDTokenEntry(
            wellKnownURL: config.wellKnownURL.string, issuer: issuer, clientID: config.clientID,
            idToken: token.compact, claims: token.claims, refreshToken: refreshToken, savedAt: Date())
    }

    // MARK: Roles

    /// `keys` is the JWKS the roles API contract forwards as `key`.
    func roleDirectory(for idToken: IDTokenEntry, keys: JSONWebKeySet) throws -> RoleDirectory {
        let key = RolesEntry.Key(url: config.idTokenForRolesURL.string, issuer: idToken.issuer, subject: idToken.claims.sub)
        if options.useCache, let entry = cache.entry(RolesEntry.self, for: key, usableAt: Date()) {
            diagnostics.debug("using the roles cached at \(ISO8601.format(entry.fetchedAt))")
            return RoleDirectory(roles: entry.roles.compactMap { try? RoleARN(parsing: $0) }, aliases: entry.aliases)
        }
        let api = RolesAPI(url: config.idTokenForRolesURL, http: http)
        do {
            let directory = try api.roles(idToken: idToken.idToken, keys: keys.document, useCache: options.useCache) { skipped in
                diagnostics.warning("roles API: \(skipped); skipped")
            }
            cache.store(
                RolesEntry(
                    url: key.url, issuer: key.issuer, subject: key.subject, roles: directory.roles.map(\.description),
                    aliases: directory.aliases, fetchedAt: Date()), diagnostics: diagnostics)
            return directory
        } catch let error as MawsError where options.role != nil {
            // With -r the roles API only supplies the account alias: go on without it.
            diagnostics.warning("\(error); continuing without account aliases")
            return RoleDirectory(roles: [], aliases: [:])
        }
    }

    /// The role chosen in the browser and its credentials, or nil when the choice is not the
    /// browser's to make: a role given, one role only, batch mode, or the terminal picker.
    private func pickInBrowser(from directory: RoleDirectory, idToken: IDTokenEntry, endpoint: EndpointURL, tab: TabSlot) throws -> Outcome?
    {
        guard options.role == nil, directory.roles.count > 1, !options.batch else { return nil }
        let browserTab: BrowserTab
        var browserProcess: Int32?
        defer { browserProcess.map(BrowserLauncher.reap) }
        if let current = tab.current {
            browserTab = current
        } else {
            // No tab from this sign-in (the ID token was cached): open one when the browser is asked for.
            guard options.picker == .web, options.openBrowser else { return nil }
            let (opened, url) = try BrowserTab.opening()
            browserProcess = BrowserLauncher(environment: environment).open(url)
            guard browserProcess != nil else {
                diagnostics.info("maws: cannot open a browser for the role picker; choose here instead")
                return nil
            }
            browserTab = opened
        }
        // The tab gets its last page from `pick` itself, whatever happens.
        tab.current = nil
        diagnostics.info("maws: choose a role in your browser")
        return try browserTab.pick(
            RoleMenu(directory: directory), timeout: .seconds(config.loginTimeout),
            assume: { role in try credentials(for: role, in: directory, idToken: idToken, endpoint: endpoint) },
            describe: Self.assumedMessage)
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

    /// `credentials(for:idToken:promptName:endpoint:)` for a role of `directory`, under the cache
    /// lock, so the first process's credentials serve the others.
    private func credentials(for role: RoleARN, in directory: RoleDirectory, idToken: IDTokenEntry, endpoint: EndpointURL) throws -> Outcome
    {
        try withCacheLock { try credentials(for: role, idToken: idToken, promptName: directory.promptName(for: role), endpoint: endpoint) }
    }

    /// Cached credentials (another process may just have fetched them), else `AssumeRoleWithWebIdentity`.
    private func credentials(for role: RoleARN, idToken: IDTokenEntry, promptName: String, endpoint: EndpointURL) throws -> Outcome {
        let key = credentialsKey(idToken, role)
        if options.useCache, let cached = cache.entry(CredentialsEntry.self, for: key, usableAt: Date()) {
            diagnostics.debug("another maws process has just fetched credentials for \(role); using them")
            return Outcome(cached: cached, role: role, issuer: idToken.issuer)
        }
        let assumed = try assume(role, idToken: idToken, endpoint: endpoint)
        cache.store(
            CredentialsEntry(
                issuer: key.issuer, clientID: key.clientID, subject: key.subject, role: key.role,
                credentials: assumed.credentials, assumedRoleARN: assumed.assumedRoleARN,
                durationSeconds: assumed.durationSeconds, promptName: promptName), diagnostics: diagnostics)
        return Outcome(assumed: assumed, promptName: promptName, issuer: idToken.issuer, cached: false)
    }

    /// `AssumeRoleWithWebIdentity`, stepping the duration down while the role's MaxSessionDuration
    /// is lower, and remembering the duration that worked.
    func assume(_ role: RoleARN, idToken: IDTokenEntry, endpoint: EndpointURL) throws -> AssumedRole {
        let store = RoleDurationStore(cacheDirectory: cache.path)
        let remembered = store.duration(for: role).flatMap { $0 <= config.durationSeconds ? $0 : nil }
        let sts = STSClient(endpoint: endpoint, http: http)
        let sessionName = RoleSessionName.make(email: idToken.claims.email, subject: idToken.claims.sub)
        var lastRefusal = ""
        for duration in DurationLadder.steps(startingAt: remembered ?? config.durationSeconds) {
            diagnostics.debug("AssumeRoleWithWebIdentity \(role) as \(sessionName) for \(duration) s at \(endpoint.host)")
            do {
                let assumed = try sts.assumeRoleWithWebIdentity(
                    role: role, sessionName: sessionName,
                    webIdentityToken: idToken.idToken, durationSeconds: duration)
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

    func withCacheLock<T>(_ body: () throws -> T) throws -> T {
        try cache.withLock(
            waiting: {
                diagnostics.info("maws: waiting for another maws process to finish signing in")
            }, body)
    }
}

extension CredentialBroker.Outcome {
    /// The outcome of credentials found in the cache for `role`.
    init(cached entry: CredentialsEntry, role: RoleARN, issuer: String) {
        self.init(
            assumed: AssumedRole(
                role: role, credentials: entry.credentials, assumedRoleARN: entry.assumedRoleARN,
                durationSeconds: entry.durationSeconds),
            promptName: entry.promptName, issuer: issuer, cached: true)
    }
}

extension CredentialBroker.Outcome {
    /// What the outputs hand over for these credentials.
    package var handoff: CredentialOutput.Handoff {
        CredentialOutput.Handoff(
            credentials: assumed.credentials, accountID: assumed.role.accountID, promptName: promptName,
            principal: assumed.role.description)
    }
}
