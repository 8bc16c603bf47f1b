import Glibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Gets AWS credentials from HashiCorp Vault (`maws vault`, `--vault-role`):
///
/// 1. Valid cached credentials for the Vault role: nothing else, no network (the warm path).
/// 2. Otherwise, under the cache lock: a Vault token, cached until 5 minutes before its lease
///    ends, else a login at `auth/{mount}/login` with an ID token that `CredentialBroker` gets as
///    it always does (cached, refreshed, or signed in with the browser).
/// 3. Credentials from the AWS secrets engine, checked with STS GetCallerIdentity, which also
///    says whose they are. An IAM user's new keys are polled until AWS accepts them, as Vault's
///    documentation advises (IAM is eventually consistent).
package struct VaultBroker: Sendable {
    package struct Options: Sendable {
        /// The AWS secrets engine's role.
        package var role: String
        /// `--ttl` or `vault_ttl`, in seconds; nil for the role's default.
        package var ttl: Int?

        package init(role: String, ttl: Int?) {
            self.role = role
            self.ttl = ttl
        }
    }

    /// How the ID token is had (its options' `useCache` also governs Vault's credentials).
    package var signIn: CredentialBroker
    package var options: Options
    /// How long to wait for AWS to accept an IAM user's new keys.
    package var propagationLimit: TimeInterval = 60

    package init(signIn: CredentialBroker, options: Options) {
        self.signIn = signIn
        self.options = options
    }

    package struct Outcome: Sendable {
        package var handoff: CredentialOutput.Handoff
        /// True when the credentials came from the cache.
        package var cached: Bool
    }

    private var settings: VaultSettings { signIn.config.vault }
    private var cache: CacheDirectory { signIn.cache }
    private var diagnostics: Diagnostics { signIn.diagnostics }

    package func run() throws -> Outcome {
        guard let address = settings.address else { throw VaultError.notConfigured }
        if signIn.options.useCache, let cached = cachedCredentials(now: Date()) {
            diagnostics.debug(
                "using cached Vault credentials for \(options.role), valid until \(ISO8601.format(cached.credentials.expiration))")
            return Outcome(handoff: Self.handoff(cached), cached: true)
        }
        let provider = try IdentityProvider(
            wellKnownURL: signIn.config.wellKnownURL, cache: cache, http: signIn.http, diagnostics: diagnostics)
        let client = VaultClient(address: address, namespace: settings.namespace, http: signIn.http)
        return try signIn.withCacheLock {
            if signIn.options.useCache, let cached = cachedCredentials(now: Date()) {
                diagnostics.debug("another maws process has just fetched Vault credentials for \(options.role); using them")
                return Outcome(handoff: Self.handoff(cached), cached: true)
            }
            return Outcome(handoff: Self.handoff(try freshCredentials(client: client, provider: provider)), cached: false)
        }
    }

    // MARK: The warm path

    /// Valid cached credentials for the role and the person last signed in with this config.
    func cachedCredentials(now: Date) -> VaultCredentialsEntry? {
        guard let idToken = cache.entry(IDTokenEntry.self, for: signIn.idTokenKey, usableAt: nil) else { return nil }
        return cache.entry(
            VaultCredentialsEntry.self, for: credentialsKey(issuer: idToken.issuer, subject: idToken.claims.sub), usableAt: now)
    }

    private func credentialsKey(issuer: String, subject: String) -> VaultCredentialsEntry.Key {
        VaultCredentialsEntry.Key(
            address: settings.address?.string ?? "", namespace: settings.namespace ?? "", awsMount: settings.awsMount,
            vaultRole: options.role, ttl: options.ttl ?? 0, issuer: issuer, subject: subject)
    }

    private func tokenKey(issuer: String, subject: String) -> VaultTokenEntry.Key {
        VaultTokenEntry.Key(
            address: settings.address?.string ?? "", namespace: settings.namespace ?? "", authMount: settings.authMount,
            authRole: settings.authRole ?? "", issuer: issuer, subject: subject)
    }

    // MARK: Vault

    private func freshCredentials(client: VaultClient, provider: IdentityProvider) throws -> VaultCredentialsEntry {
        var (token, loggedIn) = try vaultToken(client: client, provider: provider)
        let secret: VaultClient.AWSSecret
        do {
            secret = try read(client: client, token: token)
        } catch VaultError.refused(_, 403, _) where !loggedIn {
            // The cached token was revoked or expired early (an administrator, `vault token revoke`): log in again, once.
            diagnostics.info("maws: Vault refused the cached Vault token; logging in to Vault again")
            cache.remove(VaultTokenEntry.fileName(for: token.key))
            (token, loggedIn) = try vaultToken(client: client, provider: provider, discardCached: true)
            secret = try read(client: client, token: token)
        }
        let identity = try identify(secret)
        // An IAM user's keys die with the token whose lease they are; STS credentials outlive it.
        let expiration = secret.isIAMUser ? min(secret.credentials.expiration, token.expiration) : secret.credentials.expiration
        var credentials = secret.credentials
        credentials.expiration = expiration
        let entry = VaultCredentialsEntry(
            key: credentialsKey(issuer: token.issuer, subject: token.subject), credentials: credentials,
            accountID: identity.account, role: identity.arn, leaseID: secret.leaseID, tokenAccessor: token.accessor)
        cache.store(entry, diagnostics: diagnostics)
        return entry
    }

    private func read(client: VaultClient, token: VaultTokenEntry) throws -> VaultClient.AWSSecret {
        diagnostics.debug(
            "reading AWS credentials for \(options.role) from \(settings.awsMount) at \(client.address.host)"
                + (options.ttl.map { " for \($0) s" } ?? ""))
        return try client.awsCredentials(
            mount: settings.awsMount, role: options.role, ttl: options.ttl, token: token.clientToken, now: Date())
    }

    /// A Vault token with more than 5 minutes left, and whether it comes from a login just now.
    ///
    /// The cached token is found by the person last signed in, whether or not their ID token is
    /// still valid: a Vault token outlives the ID token it was had for, and needs no browser.
    private func vaultToken(client: VaultClient, provider: IdentityProvider, discardCached: Bool = false) throws -> (VaultTokenEntry, Bool)
    {
        if !discardCached, let person = cache.entry(IDTokenEntry.self, for: signIn.idTokenKey, usableAt: nil),
            person.issuer == provider.issuer,
            let cached = cache.entry(
                VaultTokenEntry.self, for: tokenKey(issuer: person.issuer, subject: person.claims.sub), usableAt: Date())
        {
            diagnostics.debug("using the cached Vault token, valid until \(ISO8601.format(cached.expiration))")
            return (cached, false)
        }
        var idToken = try signIn.validIDToken(from: provider, refreshAllowed: true)
        let key = tokenKey(issuer: idToken.issuer, subject: idToken.claims.sub)
        let mount = settings.authMount
        diagnostics.debug(
            "logging in to Vault at \(client.address.host) with the ID token (auth/\(mount), role \(settings.authRole ?? "default"))")
        let token: VaultClient.Token
        do {
            token = try client.login(mount: mount, role: settings.authRole, jwt: idToken.idToken)
        } catch VaultError.refused(_, 400, let errors) where errors.contains(where: { $0.contains("expired") }) {
            // Vault's clock may be ahead of ours: sign in again for a fresh ID token, once.
            diagnostics.info("maws: Vault says the ID token has expired; signing in again")
            idToken = try signIn.validIDToken(from: provider, refreshAllowed: false, discardCached: true)
            token = try client.login(mount: mount, role: settings.authRole, jwt: idToken.idToken)
        }
        let entry = VaultTokenEntry(
            key: key, clientToken: token.clientToken, accessor: token.accessor,
            expiration: Date().addingTimeInterval(TimeInterval(max(0, min(token.leaseDuration, 10 * 365 * 86400)))),
            policies: token.policies)
        cache.store(entry, diagnostics: diagnostics)
        return (entry, true)
    }

    // MARK: AWS

    /// Whose the credentials are, by STS GetCallerIdentity with them. IAM user keys AWS does not
    /// know yet are asked about again each second, up to `propagationLimit`.
    private func identify(_ secret: VaultClient.AWSSecret) throws -> AWSAccountAPI.CallerIdentity {
        let api = AWSAccountAPI(
            environment: signIn.environment, http: signIn.http, region: signIn.config.region,
            configuredSTSEndpoint: signIn.config.stsEndpoint)
        let keys = secret.credentials.signing
        let started = Date()
        var waited = false
        while true {
            do {
                let identity = try api.callerIdentity(keys)
                if waited { diagnostics.info("maws: AWS accepts the new keys") }
                return identity
            } catch AWSQueryError.service(_, _, let code, _, _)
                where secret.isIAMUser && ["InvalidClientTokenId", "InvalidAccessKeyId", "AuthFailure"].contains(code)
            {
                let elapsed = Date().timeIntervalSince(started)
                guard elapsed < propagationLimit else { throw VaultError.keysNotAccepted(seconds: Int(elapsed), code: code) }
                if !waited {
                    diagnostics.info("maws: waiting for AWS to accept the IAM user keys Vault issued (IAM takes a few seconds)")
                    waited = true
                }
                usleep(1_000_000)
            }
        }
    }

    private static func handoff(_ entry: VaultCredentialsEntry) -> CredentialOutput.Handoff {
        CredentialOutput.Handoff(
            credentials: entry.credentials, accountID: entry.accountID, promptName: promptName(entry), principal: entry.role)
    }

    /// The prompt's name: the Vault role, after the account (`123456789012-deploy`).
    private static func promptName(_ entry: VaultCredentialsEntry) -> String {
        "\(entry.accountID)-\(entry.vaultRole)"
    }
}
