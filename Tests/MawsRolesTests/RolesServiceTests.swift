import Foundation
import MawsCore
import MawsTestSupport
import Testing

@testable import MawsRoles

/// The ID-token-for-roles endpoint without sockets: `RolesService` with the in-memory IdP, its
/// maps in a directory of their own and its key clock moved by hand.
@Suite struct RolesServiceTests {
    let services: InMemoryServices
    let home: TemporaryHome
    let clock = TestClock(start: Date())
    let service: RolesService

    init() throws {
        services = try InMemoryServices()
        home = try TemporaryHome()
        let groupRoleMap = try home.write(
            "group-role-map.json",
            """
            {"team-ops": ["arn:aws:iam::123456789012:role/Admin"],
             "team-*": ["arn:aws:iam::123456789012:role/ReadOnly"],
             "finance": ["arn:aws:iam::999999999999:role/Ledger"]}
            """)
        let aliases = try home.write("aliases.json", #"{"123456789012": ["yoyodyne"], "999999999999": ["ledger"]}"#)
        let config = APIConfig(
            wellKnownURL: try EndpointURL(validating: InMemoryServices.issuer + "/.well-known/openid-configuration"),
            clientID: InMemoryServices.clientID, groupsClaim: "amr", groupRoleMap: .file(groupRoleMap),
            accountAliases: .file(aliases), rebuildSubjectPrefix: nil, host: "127.0.0.1", port: 0)
        service = Self.service(config, services: services, clock: clock)
    }

    static func service(_ config: APIConfig, services: InMemoryServices, clock: TestClock) -> RolesService {
        let service = RolesService(
            config: config, http: services, store: MapStore(s3: nil), diagnostics: Diagnostics(), rebuild: nil,
            now: { [clock] in clock.now })
        service.maps.check()
        return service
    }

    func ask(with token: String, cache: Bool = true, mayBlock: Bool = true) -> RolesService.Answer {
        service.roles(body: Array(#"{"token": "\#(token)", "cache": \#(cache)}"#.utf8), mayBlock: mayBlock)!
    }

    /// Without `filter_groups_secret_file` the endpoint does not exist; with it, only the secret
    /// is answered, and wildcard patterns keep the groups they match.
    @Test func filterGroupsIsOffWithoutASecretAndGuardedByIt() throws {
        let body = Array(#"{"groups": ["team-ops", "team-red", "sales", "finance", "finance-eu"]}"#.utf8)
        #expect(service.filterGroups(authorization: "Bearer anything", body: body).status == 404)
        var config = service.config
        config.filterGroupsSecret = "0123456789abcdef-secret"
        let guarded = Self.service(config, services: services, clock: clock)
        #expect(guarded.filterGroups(authorization: nil, body: body).status == 401)
        #expect(guarded.filterGroups(authorization: "Bearer 0123456789abcdef-secreT", body: body).status == 401)
        #expect(guarded.filterGroups(authorization: "0123456789abcdef-secret", body: body).status == 401)
        let answer = guarded.filterGroups(authorization: "Bearer 0123456789abcdef-secret", body: body)
        #expect(answer.status == 200)
        #expect(answer.json == .object(["groups": .array(["team-ops", "team-red", "finance"].map(JSONValue.string))]))
    }

    @Test func aValidTokenGetsTheRolesOfItsGroupsWithTheirAliases() throws {
        let answer = ask(with: try services.mintIDToken(nonce: nil))
        #expect(answer.status == 200)
        #expect(
            answer.json
                == .object([
                    "roles": .array([.string("arn:aws:iam::123456789012:role/Admin"), .string("arn:aws:iam::123456789012:role/ReadOnly")]),
                    "aliases": .object(["123456789012": .array([.string("yoyodyne")])]),
                ]))
    }

    @Test func tokensItCannotTrustAre401() throws {
        let valid = try services.mintIDToken(nonce: nil)
        let parts = valid.split(separator: ".")
        let forged = parts[0] + "." + Base64URL.encode(Array(#"{"sub":"mallory","amr":["finance"]}"#.utf8)) + "." + parts[2]
        #expect(ask(with: String(forged)).status == 401)
        #expect(ask(with: try services.mintIDToken(nonce: nil, lifetime: -600)).status == 401)
        #expect(ask(with: "not-a-token").status == 401)
        #expect(service.roles(body: Array("{}".utf8))?.status == 400)
    }

    @Test func aRotatedKeyIsFetchedOnceAndNotMoreThanOnceAMinute() throws {
        #expect(ask(with: try services.mintIDToken(nonce: nil)).status == 200)
        #expect(services.count("/jwks") == 1)

        try services.rotateSigningKey()
        let rotated = try services.mintIDToken(nonce: nil)
        // The keys were fetched a moment ago: an unknown kid does not make the API fetch them again.
        #expect(ask(with: rotated).status == 401)
        #expect(services.count("/jwks") == 1)

        clock.advance(ProviderKeys.unknownKeyRefetchInterval + 1)
        #expect(ask(with: rotated).status == 200)
        #expect(services.count("/jwks") == 2)
        #expect(ask(with: try services.mintIDToken(nonce: nil)).status == 200)
        #expect(services.count("/jwks") == 2)
    }

    @Test func anUnreachableIdPIs503WithRetryAfter() throws {
        services.state.withLock { $0.identityProviderUp = false }
        let answer = ask(with: try services.mintIDToken(nonce: nil))
        #expect(answer.status == 503)
        #expect(answer.retryAfter != nil)
    }

    /// A verified token is answered from memory while the IdP's keys are fresh and include the key
    /// that verified it, and before its `exp`; on the event loop (`mayBlock: false`) a request that
    /// would need the IdP's keys fetched is handed back.
    @Test func verifiedTokensAreAnsweredFromMemoryAndTheEventLoopNeverFetches() throws {
        let token = try services.mintIDToken(nonce: nil, lifetime: 3600)
        #expect(service.roles(body: Array(#"{"token": "\#(token)"}"#.utf8), mayBlock: false) == nil)
        #expect(services.count("/jwks") == 0)
        #expect(ask(with: token).status == 200)
        #expect(services.count("/jwks") == 1)
        let cached = ask(with: token, mayBlock: false)
        #expect(cached.status == 200 && String(decoding: cached.body, as: UTF8.self).contains("role/Admin"))
        // Another token needs its signature checked, which the keys at hand allow on the loop too.
        #expect(
            service.roles(body: Array(#"{"token": "\#(try services.mintIDToken(nonce: "another"))"}"#.utf8), mayBlock: false)?.status == 200
        )
        #expect(service.metricsText().contains("maws_roles_token_cache_hits_total 1\n"))
        #expect(service.metricsText().contains("maws_roles_token_cache_misses_total 2\n"))

        // The IdP withdraws the key; once the keys' lifetime is over, the token is verified again.
        try services.rotateSigningKey()
        clock.advance(ProviderKeys.longestLifetime + 1)
        #expect(service.roles(body: Array(#"{"token": "\#(token)"}"#.utf8), mayBlock: false) == nil)
        #expect(ask(with: token).status == 401)
        #expect(services.count("/jwks") == 2)
    }

    @Test func aTokenPastItsExpiryIsNeverAnsweredFromMemory() throws {
        let token = try services.mintIDToken(nonce: nil, lifetime: 60)
        #expect(ask(with: token).status == 200)
        clock.advance(61)
        // Verified again (and within the verifier's leeway), not answered from memory.
        #expect(service.roles(body: Array(#"{"token": "\#(token)"}"#.utf8), mayBlock: false)?.status == 200)
        #expect(service.metricsText().contains("maws_roles_token_cache_misses_total 2\n"))
    }
}
