#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The whole login: discovery and keys, browser sign-in, ID token verification, the roles API,
/// the role choice, then `AssumeRoleWithWebIdentity`. Each step takes the previous one's value.
public struct WebIdentityLogin: Sendable {
    public struct Options: Sendable {
        /// `-r`: skip the picker and assume this role, listed by the roles API or not.
        public var role: RoleARN?
        /// `-b`: never prompt.
        public var batch: Bool
        public var openBrowser: Bool
        public var useCache: Bool

        public init(role: RoleARN? = nil, batch: Bool = false, openBrowser: Bool = true, useCache: Bool = true) {
            self.role = role
            self.batch = batch
            self.openBrowser = openBrowser
            self.useCache = useCache
        }
    }

    public struct Result: Sendable {
        public var assumed: AssumedRole
        public var idToken: IDToken
        public var directory: RoleDirectory
        public var promptName: String
    }

    public var config: MawsConfig
    public var environment: Environment
    public var options: Options
    public var http: HTTPClient
    public var diagnostics: Diagnostics
    public var ports: [UInt16]

    public init(config: MawsConfig, environment: Environment, options: Options, http: HTTPClient,
                diagnostics: Diagnostics, ports: [UInt16] = LoopbackListener.registeredPorts) {
        self.config = config
        self.environment = environment
        self.options = options
        self.http = http
        self.diagnostics = diagnostics
        self.ports = ports
    }

    var cacheDirectory: String { environment.cacheHome + "/maws" }

    public func run() throws -> Result {
        let stsEndpoint = try STSEndpoint.resolve(configured: config.stsEndpoint, environment: environment)
        diagnostics.debug("reading the OIDC discovery document at \(config.wellKnownURL)")
        let provider = try ProviderMetadata.discover(config.wellKnownURL, http: http)
        var keys = try provider.fetchKeys(http: http)

        // AWS may call a token expired that maws still thought valid (clock skew): sign in again, once.
        var signedInAgain = false
        while true {
            let idToken = try signIn(provider: provider, keys: &keys)
            let directory = try roleDirectory(idToken: idToken, keys: keys)
            let role = try chooseRole(from: directory)
            do {
                let assumed = try assume(role, idToken: idToken, endpoint: stsEndpoint)
                return Result(assumed: assumed, idToken: idToken, directory: directory,
                              promptName: directory.promptName(for: role))
            } catch STSError.expiredToken where !signedInAgain {
                signedInAgain = true
                diagnostics.info("maws: AWS says the ID token has expired; signing in again")
            }
        }
    }

    /// Browser sign-in, then verification of the ID token before anything else sees it.
    func signIn(provider: ProviderMetadata, keys: inout JSONWebKeySet) throws -> IDToken {
        let signIn = BrowserSignIn(endpoints: try provider.endpoints(), clientID: config.clientID, scope: config.scope,
                                   http: http, browser: BrowserLauncher(environment: environment),
                                   openBrowser: options.openBrowser, timeout: .seconds(config.loginTimeout),
                                   ports: ports, diagnostics: diagnostics)
        let result = try signIn.run()
        let verifier = IDTokenVerifier(issuer: provider.issuer, clientID: config.clientID, expectedNonce: result.request.nonce)
        do {
            return try verifier.verify(result.tokens.idToken, keys: keys)
        } catch TokenError.unknownKey {
            // The IdP may have rotated its keys since maws fetched them: fetch once more.
            diagnostics.debug("the ID token's key is not in the cached JWKS; fetching it again")
            keys = try provider.fetchKeys(http: http)
            return try verifier.verify(result.tokens.idToken, keys: keys)
        }
    }

    func roleDirectory(idToken: IDToken, keys: JSONWebKeySet) throws -> RoleDirectory {
        let api = RolesAPI(url: config.idTokenForRolesURL, http: http)
        do {
            return try api.roles(idToken: idToken.compact, keys: keys.document, useCache: options.useCache) { skipped in
                diagnostics.warning("roles API: \(skipped); skipped")
            }
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

    /// `AssumeRoleWithWebIdentity`, stepping the duration down while the role's MaxSessionDuration
    /// is lower, and remembering the duration that worked.
    func assume(_ role: RoleARN, idToken: IDToken, endpoint: EndpointURL) throws -> AssumedRole {
        let store = RoleDurationStore(cacheDirectory: cacheDirectory)
        let remembered = store.duration(for: role).flatMap { $0 <= config.durationSeconds ? $0 : nil }
        let sts = STSClient(endpoint: endpoint, http: http)
        let sessionName = RoleSession.name(email: idToken.claims.email, subject: idToken.claims.sub)
        var lastRefusal = ""
        for duration in RoleSession.durationLadder(startingAt: remembered ?? config.durationSeconds) {
            diagnostics.debug("AssumeRoleWithWebIdentity \(role) as \(sessionName) for \(duration) s at \(endpoint.host)")
            do {
                let assumed = try sts.assumeRoleWithWebIdentity(role: role, sessionName: sessionName,
                                                                webIdentityToken: idToken.compact, durationSeconds: duration)
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
}
