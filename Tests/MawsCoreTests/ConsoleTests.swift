import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct FederationSessionDurationTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func credentials(expiring seconds: Double) -> AWSCredentials {
        AWSCredentials(
            accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "secret", sessionToken: "token",
            expiration: Date(timeIntervalSince1970: seconds))
    }

    @Test func isTheRemainingLifeWithinAWSLimits() {
        #expect(FederationSignIn.sessionDuration(for: credentials(expiring: 1_800_003_600.9), now: now) == 3600)
        #expect(FederationSignIn.sessionDuration(for: credentials(expiring: 1_800_000_060), now: now) == 900)
        #expect(FederationSignIn.sessionDuration(for: credentials(expiring: 1_700_000_000), now: now) == 900)
        #expect(FederationSignIn.sessionDuration(for: credentials(expiring: 1_800_086_400), now: now) == 43200)
    }

    /// Found by fuzzing (Tests/Fuzz/cache/crash-credentials-expiration-1e19, once ISO8601.format
    /// no longer trapped on it): an expiration past Int64 seconds trapped in the conversion to Int.
    @Test func boundsExpirationsBeyondInt64Seconds() {
        #expect(FederationSignIn.sessionDuration(for: credentials(expiring: 18_003_685_477_587_003_600), now: now) == 43200)
        #expect(FederationSignIn.sessionDuration(for: credentials(expiring: -1e300), now: now) == 900)
    }
}
