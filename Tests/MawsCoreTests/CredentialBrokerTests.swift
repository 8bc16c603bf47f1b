import MawsTestSupport
import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The sign-in flow without sockets: `CredentialBroker` against `InMemoryServices`, the browser
/// sign-in replaced by the services' own, in a home directory of its own.
@Suite struct CredentialBrokerTests {
    let services: InMemoryServices
    let home: TemporaryHome
    let config: MawsConfig
    static let admin = try! RoleARN(parsing: "arn:aws:iam::123456789012:role/Admin")

    init() throws {
        services = try InMemoryServices()
        home = try TemporaryHome()
        let file = try home.write(
            "maws.ini",
            """
            [maws]
            well_known_url = \(InMemoryServices.issuer)/.well-known/openid-configuration
            client_id = \(InMemoryServices.clientID)
            idtoken_for_roles_url = \(InMemoryServices.rolesURL)
            sts_endpoint = \(InMemoryServices.sts)
            """)
        config = try ConfigLoader(environment: home.environment(), explicitFiles: [file]).load().config
    }

    func broker(role: RoleARN? = admin, batch: Bool = true, useCache: Bool = true, config: MawsConfig? = nil) -> CredentialBroker {
        var broker = CredentialBroker(
            config: config ?? self.config, environment: home.environment(),
            options: .init(role: role, batch: batch, openBrowser: false, useCache: useCache),
            http: services, diagnostics: Diagnostics())
        broker.interactiveSignIn = { [services] _ in try services.browserSignIn() }
        return broker
    }

    /// The requests after the first `from`, for reading what one run did.
    func requests(since from: Int) -> [String] { Array(services.requests.dropFirst(from)) }

    @Test func signsInOnceThenServesCachedCredentialsWithoutARequest() throws {
        let first = try broker().run()
        #expect(!first.cached)
        #expect(first.assumed.role == Self.admin)
        #expect(first.promptName == "yoyodyne-Admin")
        #expect(services.count("browser sign-in") == 1)
        #expect(services.count("AssumeRoleWithWebIdentity DurationSeconds=43200") == 1)

        let before = services.requests.count
        let second = try broker().run()
        #expect(second.cached)
        #expect(second.assumed.credentials == first.assumed.credentials)
        #expect(requests(since: before).isEmpty, "the warm path made requests: \(requests(since: before))")
    }

    @Test func anExpiringIDTokenIsRefreshedNotSignedInAgain() throws {
        _ = try broker().run()
        try expireCachedIDToken()
        let before = services.requests.count
        _ = try broker(useCache: false).run()
        #expect(requests(since: before).filter { $0.contains("refresh_token") }.count == 1)
        #expect(services.count("browser sign-in") == 1)
    }

    @Test func aFailedRefreshFallsBackToTheBrowser() throws {
        _ = try broker().run()
        try expireCachedIDToken()
        services.state.withLock { $0.refreshWorks = false }
        _ = try broker(useCache: false).run()
        #expect(services.count("refresh_token") == 1)
        #expect(services.count("browser sign-in") == 2)
    }

    @Test func aRefreshedTokenForAnotherPersonIsRefused() throws {
        _ = try broker().run()
        try expireCachedIDToken()
        services.state.withLock { $0.subject = "mallory" }
        let outcome = try broker(useCache: false).run()
        // The refresh answer was refused, so the person signed in again (as whoever they are now).
        #expect(services.count("refresh_token") == 1)
        #expect(services.count("browser sign-in") == 2)
        #expect(!outcome.cached)
    }

    @Test func expiredTokenFromSTSSignsInAgainOnce() throws {
        services.state.withLock { $0.expiredTokenAnswers = 1 }
        let outcome = try broker().run()
        #expect(!outcome.cached)
        #expect(services.count("browser sign-in") == 2)
        #expect(services.count("AssumeRoleWithWebIdentity") == 2)
    }

    @Test func expiredTokenTwiceIsAnError() throws {
        services.state.withLock { $0.expiredTokenAnswers = 2 }
        #expect {
            try broker().run()
        } throws: { error in
            if case STSError.expiredToken = error { return true }
            return false
        }
        #expect(services.count("browser sign-in") == 2)
        #expect(services.count("AssumeRoleWithWebIdentity") == 2)
    }

    @Test func stepsDownTheDurationLadderAndRemembersTheStepThatWorked() throws {
        services.state.withLock { $0.maxSessionDuration = 3600 }
        let outcome = try broker().run()
        #expect(outcome.assumed.durationSeconds == 3600)
        #expect(
            services.requests.filter { $0.contains("AssumeRoleWithWebIdentity") }.map { $0.split(separator: "=").last! }
                == ["43200", "28800", "14400", "7200", "3600"])

        let before = services.requests.count
        _ = try broker(useCache: false).run()
        #expect(
            requests(since: before).filter { $0.contains("AssumeRoleWithWebIdentity") }
                == ["POST \(InMemoryServices.sts) AssumeRoleWithWebIdentity DurationSeconds=3600"])
    }

    @Test func aRoleThatRefusesEveryDurationIsAnError() throws {
        services.state.withLock { $0.maxSessionDuration = 600 }
        #expect {
            try broker().run()
        } throws: { error in
            if case STSError.durationTooLong = error { return true }
            return false
        }
        #expect(services.count("AssumeRoleWithWebIdentity") == 6)
    }

    @Test func concurrentRunsSignInOnceAndAssumeOnce() throws {
        let outcomes = Locked<[CredentialBroker.Outcome]>([])
        let run = broker()
        Threads.runAll(count: 4) {
            if let outcome = try? run.run() { outcomes.withLock { $0.append(outcome) } }
        }
        #expect(outcomes.withLock { $0.count } == 4)
        #expect(services.count("browser sign-in") == 1)
        #expect(services.count("AssumeRoleWithWebIdentity") == 1)
        #expect(Set(outcomes.withLock { $0.map(\.assumed.credentials.accessKeyID) }).count == 1)
    }

    @Test func credentialsAreKeptPerPerson() throws {
        _ = try broker().run()
        try expireCachedIDToken()
        services.state.withLock {
            $0.refreshWorks = false
            $0.subject = "bob"
        }
        // Bob signs in on the same machine for another role; Alice's credentials for Admin are not his.
        _ = try broker(role: RoleARN(parsing: "arn:aws:iam::123456789012:role/ReadOnly")).run()
        let before = services.requests.count
        let outcome = try broker().run()
        #expect(!outcome.cached)
        #expect(requests(since: before) == ["POST \(InMemoryServices.sts) AssumeRoleWithWebIdentity DurationSeconds=43200"])
    }

    @Test func theOnlyListedRoleIsChosenWithoutAsking() throws {
        services.state.withLock { $0.roles = ["arn:aws:iam::123456789012:role/ReadOnly"] }
        let outcome = try broker(role: nil).run()
        #expect(outcome.assumed.role.description == "arn:aws:iam::123456789012:role/ReadOnly")
    }

    @Test func noListedRolesOrNoTerminalToChooseAreErrors() throws {
        #expect(throws: RolesError.noTerminal) { try broker(role: nil, batch: true).run() }
        services.state.withLock { $0.roles = [] }
        #expect(throws: RolesError.noRoles) { try broker(role: nil, useCache: false).run() }
        #expect(services.count("AssumeRoleWithWebIdentity") == 0)
    }

    @Test func withARoleTheRolesAPIIsOptional() throws {
        var config = self.config
        config.idTokenForRolesURL = try EndpointURL(validating: "https://roles.example.com/missing")
        let outcome = try broker(config: config).run()
        #expect(outcome.assumed.role == Self.admin)
        #expect(outcome.promptName == "123456789012-Admin")
    }

    /// Rewrites the cached ID token so that it has less than the 5 minutes left that maws wants.
    func expireCachedIDToken() throws {
        let cache = CacheDirectory(environment: home.environment())
        let key = IDTokenEntry.Key(wellKnownURL: config.wellKnownURL.string, clientID: config.clientID)
        var entry = try #require(cache.entry(IDTokenEntry.self, for: key, usableAt: nil))
        entry.claims.exp = Date().addingTimeInterval(60)
        cache.store(entry, diagnostics: Diagnostics())
        #expect(cache.entry(IDTokenEntry.self, for: key, usableAt: Date()) == nil)
    }
}
