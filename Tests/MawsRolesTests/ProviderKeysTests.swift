import Glibc
import MawsCore
import Testing

@testable import MawsRoles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An IdP seen through the `HTTPClient` seam: a discovery document and a JWKS, each answer counted,
/// with a switch to fail and a delay to hold a fetch open.
final class ScriptedIdP: HTTPClient, @unchecked Sendable {
    struct State {
        var up = true
        var cacheControl: String?
        var delay: useconds_t = 0
        var requests: [String: Int] = [:]
    }

    static let issuer = "https://idp.example.com"
    static let wellKnown = try! EndpointURL(validating: issuer + "/.well-known/openid-configuration")
    let state = Locked(State())

    func count(_ path: String) -> Int { state.withLock { $0.requests[path, default: 0] } }

    func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let path = String(request.url.string.dropFirst(Self.issuer.count))
        let current = state.withLock { state in
            state.requests[path, default: 0] += 1
            return state
        }
        if current.delay > 0 { usleep(current.delay) }
        guard current.up else { throw .connect(host: "idp.example.com", reason: "Connection refused") }
        switch path {
        case "/.well-known/openid-configuration":
            return HTTPResponse(
                status: 200,
                body: Data(
                    """
                    {"issuer": "\(Self.issuer)", "authorization_endpoint": "\(Self.issuer)/authorize",
                     "token_endpoint": "\(Self.issuer)/token", "jwks_uri": "\(Self.issuer)/jwks"}
                    """.utf8))
        case "/jwks":
            return HTTPResponse(
                status: 200, headers: current.cacheControl.map { ["cache-control": $0] } ?? [:],
                body: Data(#"{"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}"#.utf8))
        default:
            return HTTPResponse(status: 404)
        }
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    let time: Locked<Date>
    init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { time = Locked(start) }
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

@Suite struct ProviderKeysTests {
    let idp = ScriptedIdP()
    let clock = TestClock()
    var keys: ProviderKeys {
        ProviderKeys(wellKnownURL: ScriptedIdP.wellKnown, http: idp, diagnostics: Diagnostics(), now: { [clock] in clock.now })
    }

    @Test(
        arguments: [
            (nil, 600.0), ("max-age=3600", 600), ("public, max-age=120", 120), ("max-age=\"30\", must-revalidate", 30),
            ("max-age=0", 1), ("no-store", 1), ("no-cache, max-age=300", 1), ("private", 600),
        ] as [(String?, TimeInterval)])
    func keysLiveForTheirMaxAgeBetweenOneSecondAndTenMinutes(cacheControl: String?, lifetime: TimeInterval) throws {
        idp.state.withLock { $0.cacheControl = cacheControl }
        let provider = try keys.current()
        #expect(provider.expiresAt.timeIntervalSince(provider.fetchedAt) == lifetime)
    }

    @Test func expiredKeysAreFetchedAgainWithoutTheDiscoveryDocument() throws {
        idp.state.withLock { $0.cacheControl = "max-age=60" }
        let keys = self.keys
        _ = try keys.current()
        clock.advance(59)
        _ = try keys.current()
        #expect(idp.count("/jwks") == 1)
        clock.advance(2)
        _ = try keys.current()
        #expect(idp.count("/jwks") == 2)
        #expect(idp.count("/.well-known/openid-configuration") == 1)
    }

    @Test func anUnknownKeyFetchesAgainAtMostOnceAMinute() throws {
        let keys = self.keys
        _ = try keys.current()
        clock.advance(30)
        _ = try keys.current(unknownKey: true)
        #expect(idp.count("/jwks") == 1)
        clock.advance(31)
        _ = try keys.current(unknownKey: true)
        #expect(idp.count("/jwks") == 2)
    }

    @Test func concurrentCallersShareOneFetch() throws {
        idp.state.withLock { $0.delay = 200_000 }
        let keys = self.keys
        let failures = Locked(0)
        Threads.runAll(count: 16) {
            if (try? keys.current()) == nil { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(idp.count("/.well-known/openid-configuration") == 1 && idp.count("/jwks") == 1)
    }

    @Test func whileOneCallerRefreshesTheOthersUseTheKeysAtHand() throws {
        idp.state.withLock { $0.cacheControl = "max-age=60" }
        let keys = self.keys
        let first = try keys.current()
        clock.advance(61)
        idp.state.withLock { $0.delay = 1_000_000 }  // The IdP now takes a second to answer.
        Threads.startDetached { _ = try? keys.current() }
        while idp.count("/jwks") < 2 { usleep(1000) }  // The refresh is under way.
        let started = ContinuousClock.now
        let meanwhile = try keys.current()
        #expect(ContinuousClock.now - started < .milliseconds(200), "a caller waited for the slow refresh")
        #expect(meanwhile.fetchedAt == first.fetchedAt)
    }

    @Test func aFailingIdPIsRetriedWithABackoffAndCallersFailAtOnceMeanwhile() throws {
        idp.state.withLock { $0.up = false }
        let keys = self.keys
        var attempts: [Int] = []
        var retryAfters: [Int] = []
        for _ in 0..<200 {  // one call a second for 200 s
            do {
                _ = try keys.current()
            } catch {
                retryAfters.append(error.retryAfter)
                #expect(error.reason.contains("Connection refused"))
            }
            attempts.append(idp.count("/.well-known/openid-configuration"))
            clock.advance(1)
        }
        // Attempts at 0, 1, 3, 7, 15, 31 s, then every 30 s.
        let attemptTimes = attempts.indices.filter { $0 == 0 || attempts[$0] != attempts[$0 - 1] }
        #expect(attemptTimes == [0, 1, 3, 7, 15, 31, 61, 91, 121, 151, 181])
        #expect(retryAfters.count == 200 && retryAfters.allSatisfy { (1...30).contains($0) })
        idp.state.withLock { $0.up = true }
        clock.advance(30)
        #expect(throws: Never.self) { try keys.current() }
    }

    @Test func theLastKeysServeWhileTheIdPIsDownForAtMostAnHourPastTheirLifetime() throws {
        idp.state.withLock { $0.cacheControl = "max-age=10" }
        let keys = self.keys
        let fetched = try keys.current()
        idp.state.withLock { $0.up = false }
        clock.advance(11)
        #expect(try keys.current().fetchedAt == fetched.fetchedAt)
        #expect(idp.count("/jwks") == 2)
        clock.advance(3600 - 2)
        #expect(try keys.current().fetchedAt == fetched.fetchedAt)
        clock.advance(2)
        #expect(throws: ProviderKeys.Unavailable.self) { try keys.current() }
        idp.state.withLock { $0.up = true }
        clock.advance(30)
        #expect(try keys.current().fetchedAt == clock.now)
    }
}
