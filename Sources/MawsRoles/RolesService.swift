import Glibc
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ID-token-for-roles API (README, "Setting up your organisation"), independent of the HTTP framework: each endpoint takes
/// the request body and returns a status and a JSON document.
///
/// Tokens are verified against the configured issuer's own JWKS; the `key` a caller sends is
/// ignored (trusting it let anyone sign their own token). The maps are reloaded when their files change.
package final class RolesService: Sendable {
    /// An answer; an `Error` too, so a failed step can carry its answer out in a `Result`.
    package struct Answer: Error, Sendable {
        package var status: Int
        package var body: JSONValue
        package var headers: [(String, String)] = []

        package init(status: Int, body: JSONValue, headers: [(String, String)] = []) {
            self.status = status
            self.body = body
            self.headers = headers
        }

        /// `{"error": message}`; with `retryAfter`, a `Retry-After` header too.
        package static func error(_ status: Int, _ message: String, retryAfter: Int? = nil) -> Answer {
            Answer(
                status: status, body: .object(["error": .string(message)]), headers: retryAfter.map { [("Retry-After", String($0))] } ?? [])
        }
    }

    package let config: APIConfig
    private let diagnostics: Diagnostics
    private let rebuild: (@Sendable () throws -> String)?
    private let providerKeys: ProviderKeys
    private let maps = Locked<Maps?>(nil)
    private let lastRebuild = Locked<Date?>(nil)
    package static let rebuildInterval: TimeInterval = 300

    struct Maps {
        var groupRoles: [String: [String]]
        var aliases: [String: [String]]
        var stamps: [Int]
        var loadedAt: Date
    }

    /// `rebuild` runs the builder and returns a summary; nil disables the rebuild endpoint. `now`
    /// is the clock the IdP's keys age by (tests move it).
    package init(
        config: APIConfig, http: HTTPClient, diagnostics: Diagnostics, rebuild: (@Sendable () throws -> String)?,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.config = config
        self.diagnostics = diagnostics
        self.rebuild = rebuild
        self.providerKeys = ProviderKeys(wellKnownURL: config.wellKnownURL, http: http, diagnostics: diagnostics, now: now)
    }

    // MARK: Endpoints

    package func roles(body: [UInt8]) -> Answer {
        struct Request: Decodable {
            var token: String
        }
        guard let request = try? JSONReader.decode(Request.self, from: Data(body)) else {
            return error(400, "expected a JSON object with a 'token' (the ID token)")
        }
        let claims: [String: JSONValue]
        switch verify(request.token) {
        case .success(let verified): claims = verified
        case .failure(let answer): return answer
        }
        guard let groupsValue = claims[config.groupsClaim] else {
            return error(403, "the ID token has no '\(config.groupsClaim)' claim")
        }
        let groups: [String]
        switch groupsValue {
        case .array(let items): groups = items.compactMap(\.stringValue)
        case .string(let single): groups = [single]
        default: return error(403, "the '\(config.groupsClaim)' claim is not a list of groups")
        }
        guard let maps = currentMaps() else { return error(503, "the group-role map is not available yet") }
        var roles = Set<String>()
        for (pattern, grantedRoles) in maps.groupRoles where groups.contains(where: { wildcardMatches(pattern, $0) }) {
            roles.formUnion(grantedRoles)
        }
        let accounts = Set(roles.compactMap { try? RoleARN(parsing: $0).accountID })
        let aliases = maps.aliases.filter { accounts.contains($0.key) }
        return Answer(
            status: 200,
            body: .object([
                "roles": .array(roles.sorted().map(JSONValue.string)),
                "aliases": .object(aliases.mapValues { .array($0.map(JSONValue.string)) }),
            ]))
    }

    /// `POST /filter-groups` `{"groups": [...]}`: the groups some role's trust policy can match
    /// (the group-role map's patterns, wildcards included), in the order given, for the IdP's
    /// sign-in hook, so that tokens carry only groups that matter and stay under STS's size limit.
    /// Only a caller with the shared secret (`Authorization: Bearer SECRET`, compared in constant
    /// time) is answered; without `filter_groups_secret_file` the endpoint does not exist (404).
    package func filterGroups(authorization: String?, body: [UInt8]) -> Answer {
        guard let secret = config.filterGroupsSecret else { return error(404, "not found") }
        let presented = authorization.map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        guard LoopbackHTTPServer.constantTimeEquals(presented, secret) else {
            return error(401, "filter-groups needs 'Authorization: Bearer' with the shared secret")
        }
        struct Request: Decodable { var groups: [String] }
        guard let request = try? JSONReader.decode(Request.self, from: Data(body)), request.groups.count <= 10_000 else {
            return error(400, "expected a JSON object with a 'groups' list of at most 10000 names")
        }
        guard let maps = currentMaps() else { return error(503, "the group-role map is not available yet") }
        let patterns = Array(maps.groupRoles.keys)
        let kept = request.groups.filter { group in patterns.contains { wildcardMatches($0, group) } }
        return Answer(status: 200, body: .object(["groups": .array(kept.map(JSONValue.string))]))
    }

    package func accountAliases() -> Answer {
        guard let maps = currentMaps() else { return error(503, "the account alias map is not available yet") }
        return Answer(status: 200, body: .object(maps.aliases.mapValues { .array($0.map(JSONValue.string)) }))
    }

    package func rebuildGroupRoleMap(body: [UInt8]) -> Answer {
        guard let rebuild, let prefix = config.rebuildSubjectPrefix else { return error(404, "rebuilding is not enabled here") }
        struct Request: Decodable { var token: String }
        guard let request = try? JSONReader.decode(Request.self, from: Data(body)) else {
            return error(400, "expected a JSON object with a 'token' (the ID token)")
        }
        switch verify(request.token) {
        case .failure(let answer): return answer
        case .success(let claims):
            guard claims["sub"]?.stringValue?.hasPrefix(prefix) == true else {
                return error(403, "only people whose subject starts with '\(prefix)' may rebuild the map")
            }
        }
        let now = Date()
        let wait: TimeInterval? = lastRebuild.withLock { last in
            if let last, now.timeIntervalSince(last) < Self.rebuildInterval { return Self.rebuildInterval - now.timeIntervalSince(last) }
            last = now
            return nil
        }
        if let wait {
            let seconds = Int(wait.rounded(.up))
            return .error(429, "the map was rebuilt less than 5 minutes ago; try again in \(seconds) s", retryAfter: seconds)
        }
        do {
            let summary = try rebuild()
            maps.withLock { $0 = nil }
            return Answer(status: 200, body: .object(["status": .string("rebuilt"), "summary": .string(summary)]))
        } catch {
            return self.error(502, "the rebuild failed: \(error)")
        }
    }

    package func health() -> Answer {
        guard let maps = currentMaps() else { return error(503, "the maps are not loaded") }
        return Answer(
            status: 200,
            body: .object([
                "status": .string("ok"),
                "groups": .number(Double(maps.groupRoles.count)),
                "loaded_at": .string(ISO8601.format(maps.loadedAt)),
            ]))
    }

    // MARK: Tokens

    private func verify(_ token: String) -> Result<[String: JSONValue], Answer> {
        do {
            let provider = try providerKeys.current()
            let verifier = KeyRefetchingVerifier(
                IDTokenVerifier(
                    issuer: provider.metadata.issuer, clientID: config.clientID,
                    expectedNonce: nil))
            // An unknown kid: the IdP may have rotated its keys; they are fetched again at most once a minute.
            _ = try verifier.verify(token, keys: provider.keys) { try providerKeys.current(unknownKey: true).keys }
        } catch let unavailable as ProviderKeys.Unavailable {
            return .failure(
                .error(
                    503, "cannot reach the identity provider to verify the token; try again in \(unavailable.retryAfter) s",
                    retryAfter: unavailable.retryAfter))
        } catch {
            return .failure(self.error(401, "invalid ID token: \(error)"))
        }
        guard let payload = token.split(separator: ".").dropFirst().first.flatMap(Base64URL.decode),
            case .object(let claims)? = try? JSONReader.decode(JSONValue.self, from: payload)
        else { return .failure(error(401, "the ID token's claims are unreadable")) }
        return .success(claims)
    }

    // MARK: Maps

    /// The maps, reloaded when either file's modification time or size changed.
    private func currentMaps() -> Maps? {
        let stamps = [config.groupRoleMapPath, config.accountAliasesPath].flatMap(Self.stamp)
        if let maps = maps.withLock({ $0 }), maps.stamps == stamps { return maps }
        guard let roles = Self.readMap(config.groupRoleMapPath), let aliases = Self.readMap(config.accountAliasesPath) else {
            return maps.withLock { $0 }  // Keep serving the last good maps while a file is unreadable.
        }
        let loaded = Maps(groupRoles: roles, aliases: aliases, stamps: stamps, loadedAt: Date())
        maps.withLock { $0 = loaded }
        diagnostics.debug("loaded the maps: \(roles.count) groups, \(aliases.count) accounts")
        return loaded
    }

    static func stamp(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [0, 0, 0] }
        return [Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_size)]
    }

    static func readMap(_ path: String) -> [String: [String]]? {
        guard let text = try? SharedFile(path: path, holdsSecrets: false).text() else { return nil }
        return try? JSONReader.decode([String: [String]].self, from: Data(text.utf8))
    }

    private func error(_ status: Int, _ message: String) -> Answer {
        .error(status, message)
    }
}
