import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct SecretBoxTests {
    let fast = SecretBox.KDFParameters(n: 1 << 14, r: 8, p: 1)

    @Test func sealsAndOpensWithThePasswordAndAssociatedData() throws {
        let sealed = try SecretBox.seal(
            Array("[dev]\nkey = value\n".utf8), password: Array("pw".utf8),
            associatedData: Array("dev".utf8), parameters: fast)
        #expect(sealed.salt.count == 16 && sealed.nonce.count == 12)
        #expect(sealed.ciphertext.count == 18 + 16)
        #expect(
            try SecretBox.open(sealed, password: Array("pw".utf8), associatedData: Array("dev".utf8)) == Array("[dev]\nkey = value\n".utf8))
        #expect(throws: CryptoError.authenticationFailed) {
            try SecretBox.open(sealed, password: Array("pW".utf8), associatedData: Array("dev".utf8))
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try SecretBox.open(sealed, password: Array("pw".utf8), associatedData: Array("prod".utf8))
        }
        var altered = sealed
        altered.ciphertext[0] ^= 1
        #expect(throws: CryptoError.authenticationFailed) {
            try SecretBox.open(altered, password: Array("pw".utf8), associatedData: Array("dev".utf8))
        }
    }

    @Test func scryptMatchesRFC7914() throws {
        // RFC 7914 §12, second vector (N=1024 is below maws's floor, so the KDF is called directly).
        let cipher = try Cipher.shared()
        var key = [UInt8](repeating: 0, count: 64)
        let status = cipher.scrypt("password", 8, Array("NaCl".utf8), 4, 1024, 8, 16, 32 << 20, &key, 64)
        #expect(status == 1)
        #expect(Hex.encode(key.prefix(16)) == "fdbabe1c9d3472007856e7190d01e9fe")
    }

    @Test func refusesWeakOrAbsurdKDFParameters() {
        #expect(throws: CryptoError.self) { try SecretBox.deriveKey(password: [1], salt: [1], parameters: .init(n: 1024, r: 8, p: 1)) }
        #expect(throws: CryptoError.self) { try SecretBox.deriveKey(password: [1], salt: [1], parameters: .init(n: 3 << 14, r: 8, p: 1)) }
    }
}

@Suite struct AWSProfilesTests {
    let home = FileManager.default.temporaryDirectory.path + "/maws-profiles-\(UUID().uuidString)"

    func profiles(config: String, credentials: String) throws -> AWSProfiles {
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try Data(config.utf8).write(to: URL(fileURLWithPath: home + "/.aws/config"))
        try Data(credentials.utf8).write(to: URL(fileURLWithPath: home + "/.aws/credentials"))
        return try AWSProfiles(environment: Environment(["HOME": home]))
    }

    @Test func readsBothFilesAsTheAWSCLIDoes() throws {
        let profiles = try profiles(
            config:
                "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\nmfa_serial = arn:aws:iam::1:mfa/me\n[dev]\nregion = ignored\n",
            credentials: "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n")
        let dev = try profiles.profile("dev")
        #expect(dev.accessKeyID == "AKIADEV" && dev.secretAccessKey == "s")
        #expect(dev.region == "eu-west-1" && dev.mfaSerial == "arn:aws:iam::1:mfa/me")
        #expect(try profiles.profile("default").region == "us-east-1")
        #expect(throws: ProfilesError.self) { try profiles.profile("nope") }
        #expect(AWSProfiles.selected(nil, environment: Environment(["AWS_PROFILE": "dev"])) == "dev")
        #expect(AWSProfiles.selected("x", environment: Environment(["AWS_PROFILE": "dev"])) == "x")
    }

    @Test func followsSourceProfilesAndFindsLoops() throws {
        let profiles = try profiles(
            config: """
                [profile a]
                role_arn = arn:aws:iam::111111111111:role/A
                source_profile = keys
                [profile b]
                role_arn = arn:aws:iam::111111111111:role/B
                source_profile = a
                duration_seconds = 7200
                [profile self]
                role_arn = arn:aws:iam::111111111111:role/S
                source_profile = self
                [profile x]
                role_arn = arn:aws:iam::111111111111:role/X
                source_profile = y
                [profile y]
                role_arn = arn:aws:iam::111111111111:role/Y
                source_profile = x
                [profile bad]
                duration_seconds = 60
                """,
            credentials:
                "[keys]\naws_access_key_id = AKIA\naws_secret_access_key = s\n[self]\naws_access_key_id = AKIA2\naws_secret_access_key = s\n"
        )
        #expect(try profiles.chain("b").map(\.name) == ["keys", "a", "b"])
        #expect(try profiles.chain("b").last?.durationSeconds == 7200)
        #expect(try profiles.chain("self").map(\.roleARN) == [nil, "arn:aws:iam::111111111111:role/S"])
        #expect(throws: ProfilesError.loop(["x", "y", "x"])) { try profiles.chain("x") }
        #expect(throws: ProfilesError.self) { try profiles.profile("bad") }
    }
}

@Suite struct ISO8601Tests {
    @Test func parsesAndFormatsWhatAWSWrites() {
        #expect(ISO8601.parse("2026-11-21T17:25:33Z")?.timeIntervalSince1970 == 1_795_281_933)
        #expect(ISO8601.parse("2026-11-21T17:25:33.500Z")?.timeIntervalSince1970 == 1_795_281_933.5)
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1_795_281_933.9)) == "2026-11-21T17:25:33Z")
        for bad in ["2026-02-30T00:00:00Z", "2026-11-21 17:25:33Z", "2026-11-21T17:25:33", "2026-11-21T17:25:33+01:00", "soon"] {
            #expect(ISO8601.parse(bad) == nil, "\(bad)")
        }
    }

    /// Found by fuzzing (Tests/Fuzz/xml/crash-iso8601-year-16): a year before 1000 was formatted
    /// with fewer than four digits, which `parse` (and AWS tools) do not read back.
    @Test(arguments: ["0016-01-15T20:00:23Z", "0000-01-01T00:00:00Z", "0999-12-31T23:59:59Z", "1000-01-01T00:00:00Z"])
    func formatsEveryYearItParsesWithFourDigits(_ text: String) throws {
        let date = try #require(ISO8601.parse(text))
        #expect(ISO8601.format(date) == text)
    }

    /// Found by fuzzing (Tests/Fuzz/cache/crash-credentials-expiration-1e19): a time past Int64
    /// seconds, as a cache entry or an ID token can hold, trapped in the conversion to time_t.
    @Test func formatsTimesBeyondFourDigitYearsAsTheNearestEnd() {
        #expect(ISO8601.format(Date(timeIntervalSince1970: 18_003_685_477_587_003_600)) == "9999-12-31T23:59:59Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: 253_402_300_800)) == "9999-12-31T23:59:59Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: -1e20)) == "0000-01-01T00:00:00Z")
        #expect(ISO8601.format(Date(timeIntervalSince1970: .nan)) == "0000-01-01T00:00:00Z")
    }
}
