import Glibc
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ID-token-for-roles API (README, "Setting up your organisation"), independent of the HTTP
/// framework: each endpoint takes the request body and returns a status and a JSON document.
///
/// Tokens are verified against the configured issuer's own JWKS; the `key` a caller sends is
/// ignored (trusting it let anyone sign their own token). A verified token is remembered by its
/// hash until it expires (`VerifiedTokens`), and the maps are served from a prepared version that
/// a thread of their own keeps current (`ServedMaps`), so that a repeated request costs a hash and
/// two lookups and never waits on the network: `roles(body:mayBlock: false)` answers on the
/// server's event loop whenever it can, and says when it cannot (the IdP's keys must be fetched).
package final class RolesService: Sendable {
    /// An answer: status, JSON body, and `Retry-After` for the 429s and 503s.
    package struct Answer: Sendable {
        package var status: Int
        package var body: [UInt8]
        package var retryAfter: Int?

        package init(status: Int, body: [UInt8], retryAfter: Int? = nil) {
            self.status = status
            self.body = body
            self.retryAfter = retryAfter
        }

        package static func json(_ status: Int, _ value: JSONValue) -> Answer {
            Answer(status: status, body: (try? JSONWriter.encode(value, as: .compact)) ?? Array("{}".utf8))
        }

        /// `{"error": message}`.
        package static func error(_ status: Int, _ message: String, retryAfter: Int? = nil) -> Answer {
            var answer = json(status, .object(["error": .string(message)]))
            answer.retryAfter = retryAfter
            return answer
        }

        /// The body as a JSON value (tests, logs).
        package var json: JSONValue? { try? JSONParser.parse(body) }
    }

    package let config: APIConfig
    package let maps: ServedMaps
    package let metrics: Metrics
    private let diagnostics: Diagnostics
    private let rebuild: (@Sendable () throws -> String)?
    private let marker: RebuildMarker
    private let providerKeys: ProviderKeys
    private let tokens: VerifiedTokens
    private let now: @Sendable () -> Date
    package static let rebuildInterval: TimeInterval = 300

    /// `rebuild` runs the builder and returns a summary; nil disables the rebuild endpoint. `now`
    /// is the clock tokens and the IdP's keys age by (tests move it).
    package init(
        config: APIConfig, http: HTTPClient, store: MapStore, diagnostics: Diagnostics, metrics: Metrics = Metrics(),
        rebuild: (@Sendable () throws -> String)?, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.config = config
        self.diagnostics = diagnostics
        self.metrics = metrics
        self.rebuild = rebuild
        self.now = now
        self.providerKeys = ProviderKeys(wellKnownURL: config.wellKnownURL, http: http, diagnostics: diagnostics, now: now)
        self.tokens = VerifiedTokens(capacity: config.tokenCacheEntries)
        self.maps = ServedMaps(
            groupRoleMap: config.groupRoleMap, accountAliases: config.accountAliases, interval: config.checkInterval, store: store,
            diagnostics: diagnostics, metrics: metrics)
        self.marker = RebuildMarker(location: config.rebuildMarker, store: store, interval: Self.rebuildInterval)
    }

    // MARK: Endpoints

    /// `POST /roles` `{"token", "key", "cache"}`: the roles the token's groups grant, with their
    /// accounts' aliases. Without `mayBlock`, nil when answering needs the IdP's keys fetched
    /// (the caller runs it again where blocking is fine). `"cache": false` (or `bypassCache`)
    /// verifies the token anew and checks the maps' sources first.
    package func roles(body: [UInt8], bypassCache: Bool = false, mayBlock: Bool = true) -> Answer? {
        guard case .object(let request)? = try? JSONParser.parse(body), case .string(let token)? = request["token"] else {
            return .error(400, "expected a JSON object with a 'token' (the ID token)")
        }
        let useCache = !bypassCache && request["cache"] != .bool(false)
        let digest = try? VerifiedTokens.Digest(token)
        let time = now().timeIntervalSince1970
        if useCache, let digest, let entry = tokens.entry(digest, now: time), providerKeys.freshKeysInclude(entry.key) {
            metrics.tokenCache(hit: true)
            guard let version = maps.current else { return .error(503, "the group-role map is not available yet") }
            if let answer = entry.answer, answer.version == version.number { return Answer(status: 200, body: answer.bytes) }
            let answer = version.lookup.answer(for: entry.groups)
            tokens.remember(digest, answer: answer, version: version.number)
            return Answer(status: 200, body: answer)
        }
        let groups: [String]
        let expires: Double
        let key: JSONWebKey
        switch verify(token, mayBlock: mayBlock) {
        case .needsKeys: return nil
        case .refused(let answer): return answer
        case .verified(let claims, let exp, let verifyingKey):
            key = verifyingKey
            switch claims[config.groupsClaim] {
            case .array(let items)?: groups = items.compactMap(\.stringValue)
            case .string(let single)?: groups = [single]
            case nil: return .error(403, "the ID token has no '\(config.groupsClaim)' claim")
            default: return .error(403, "the '\(config.groupsClaim)' claim is not a list of groups")
            }
            expires = exp
        }
        // Checking the maps' sources blocks: done once the token is known good, off the loop.
        if !useCache {
            guard mayBlock else { return nil }
            maps.check()
        }
        metrics.tokenCache(hit: false)
        guard let version = maps.current else { return .error(503, "the group-role map is not available yet") }
        let answer = version.lookup.answer(for: groups)
        if let digest {
            tokens.keep(digest, .init(groups: groups, key: key, expires: expires, answer: (version.number, answer)), now: time)
        }
        return Answer(status: 200, body: answer)
    }

    /// `POST /filter-groups` `{"groups": [...]}`: the groups some role's trust policy can match
    /// (the group-role map's patterns, wildcards included), in the order given, for the IdP's
    /// sign-in hook, so that tokens carry only groups that matter and stay under STS's size limit.
    /// Only a caller with the shared secret (`Authorization: Bearer SECRET`, compared in constant
    /// time) is answered; without `filter_groups_secret_file` the endpoint does not exist (404).
    package func filterGroups(authorization: String?, body: [UInt8]) -> Answer {
        guard let secret = config.filterGroupsSecret else { return .error(404, "not found") }
        let presented = authorization.map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
        guard LoopbackHTTPServer.constantTimeEquals(presented, secret) else {
            return .error(401, "filter-groups needs 'Authorization: Bearer' with the shared secret")
        }
        guard case .object(let request)? = try? JSONParser.parse(body), case .array(let items)? = request["groups"],
            items.count <= 10_000
        else {
            return .error(400, "expected a JSON object with a 'groups' list of at most 10000 names")
        }
        guard let version = maps.current else { return .error(503, "the group-role map is not available yet") }
        let kept = items.compactMap(\.stringValue).filter(version.lookup.grantsAnything)
        return .json(200, .object(["groups": .array(kept.map(JSONValue.string))]))
    }

    package func accountAliases() -> Answer {
        guard let version = maps.current else { return .error(503, "the account alias map is not available yet") }
        return .json(200, .object(version.lookup.aliases.mapValues { .array($0.map(JSONValue.string)) }))
    }

    /// `POST /rebuild-group-role-map` `{"token"}`: runs the builder, at most once every 5 minutes
    /// across every replica sharing the rebuild marker. Blocks (the builder scans every account).
    package func rebuildGroupRoleMap(body: [UInt8]) -> Answer {
        guard let rebuild, let prefix = config.rebuildSubjectPrefix else { return .error(404, "rebuilding is not enabled here") }
        guard case .object(let request)? = try? JSONParser.parse(body), case .string(let token)? = request["token"] else {
            return .error(400, "expected a JSON object with a 'token' (the ID token)")
        }
        switch verify(token, mayBlock: true) {
        case .needsKeys: return .error(503, "cannot verify the token now; try again shortly", retryAfter: 1)
        case .refused(let answer): return answer
        case .verified(let claims, _, _):
            guard claims["sub"]?.stringValue?.hasPrefix(prefix) == true else {
                return .error(403, "only people whose subject starts with '\(prefix)' may rebuild the map")
            }
        }
        let claim: String
        do {
            switch try marker.claim(at: now(), by: Self.replicaName) {
            case .claimed(let tag): claim = tag
            case .tooSoon(let seconds):
                metrics.rebuild("refused")
                return .error(429, "the map was rebuilt less than 5 minutes ago; try again in \(seconds) s", retryAfter: seconds)
            }
        } catch {
            metrics.rebuild("failed")
            return .error(503, "cannot record the rebuild at \(config.rebuildMarker): \(error)", retryAfter: 30)
        }
        do {
            let summary = try rebuild()
            metrics.rebuild("ok")
            maps.check()
            return .json(200, .object(["status": .string("rebuilt"), "summary": .string(summary)]))
        } catch {
            marker.release(claim, by: Self.replicaName)
            metrics.rebuild("failed")
            diagnostics.warning("the rebuild failed: \(error)")
            return .error(502, "the rebuild failed: \(error)")
        }
    }

    /// `GET /healthz`: 200 while a version of the maps is in service, with its age and tags and
    /// the last check's failure (S3 unreachable, a document that does not parse); 503 before any.
    package func health() -> Answer {
        let status = maps.status
        var fields: [String: JSONValue] = [
            "map_sources": .array([config.groupRoleMap, config.accountAliases].map { .string($0.description) })
        ]
        if let checked = status.checkedAt { fields["checked_at"] = .string(ISO8601.format(checked)) }
        if let error = status.lastError { fields["last_error"] = .string(error) }
        guard let version = status.version else {
            fields["status"] = .string("no maps loaded")
            return .json(503, .object(fields))
        }
        fields["status"] = .string(status.lastError == nil ? "ok" : "stale")
        fields["groups"] = .number(Double(version.lookup.groupCount))
        fields["loaded_at"] = .string(ISO8601.format(version.loadedAt))
        fields["map_age_seconds"] = .number(now().timeIntervalSince(version.loadedAt).rounded())
        fields["map_version"] = .number(Double(version.number))
        fields["etags"] = .array(version.tags.map(JSONValue.string))
        return .json(200, .object(fields))
    }

    /// `GET /metrics`, in Prometheus's text format.
    package func metricsText() -> String {
        let version = maps.current
        return metrics.render(
            .init(
                mapAgeSeconds: version.map { now().timeIntervalSince($0.loadedAt) },
                keysAgeSeconds: providerKeys.fetchedAt.map { now().timeIntervalSince($0) }, cachedTokens: tokens.count,
                mapVersion: version?.number ?? 0))
    }

    // MARK: Tokens

    private enum Verification {
        case verified(claims: [String: JSONValue], expires: Double, key: JSONWebKey)
        case refused(Answer)
        /// The IdP's keys must be fetched, which the caller may not wait for.
        case needsKeys
    }

    private struct NeedsKeys: Error {}

    private func verify(_ token: String, mayBlock: Bool) -> Verification {
        let verified: IDToken
        let key: JSONWebKey?
        do {
            let provider: ProviderKeys.Provider
            if mayBlock {
                provider = try providerKeys.current()
            } else {
                guard let fresh = providerKeys.currentIfFresh() else { return .needsKeys }
                provider = fresh
            }
            let verifier = KeyRefetchingVerifier(
                IDTokenVerifier(issuer: provider.metadata.issuer, clientID: config.clientID, expectedNonce: nil))
            // An unknown kid: the IdP may have rotated its keys; they are fetched again at most once a minute.
            var keys = provider.keys
            verified = try verifier.verify(token, keys: keys) {
                guard mayBlock else { throw NeedsKeys() }
                keys = try providerKeys.current(unknownKey: true).keys
                return keys
            }
            key = keys.key(of: token)
        } catch is NeedsKeys {
            return .needsKeys
        } catch let unavailable as ProviderKeys.Unavailable {
            return .refused(
                .error(
                    503, "cannot reach the identity provider to verify the token; try again in \(unavailable.retryAfter) s",
                    retryAfter: unavailable.retryAfter))
        } catch {
            return .refused(.error(401, "invalid ID token: \(error)"))
        }
        guard let payload = token.split(separator: ".").dropFirst().first.flatMap(Base64URL.decode),
            case .object(let claims)? = try? JSONParser.parse(Array(payload)), let key
        else { return .refused(.error(401, "the ID token's claims are unreadable")) }
        return .verified(claims: claims, expires: verified.claims.exp.timeIntervalSince1970, key: key)
    }

    /// Who claims a rebuild in the marker: the host and process.
    static let replicaName: String = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : "unknown"
        return "\(host):\(getpid())"
    }()
}
