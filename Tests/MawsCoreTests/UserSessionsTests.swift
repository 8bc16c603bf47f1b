import Foundation
import MawsTestSupport
import Testing

@testable import MawsCore

/// IAM user keys without sockets: `UserSessions` and `KeyRotation` against `InMemoryServices`'
/// STS and IAM, with credential files in a home directory of their own.
struct IAMUserFixture {
    let services: InMemoryServices
    let home: TemporaryHome
    static let serial = "arn:aws:iam::123456789012:mfa/alice"

    init() throws {
        services = try InMemoryServices()
        home = try TemporaryHome()
        try home.write(
            ".aws/credentials",
            """
            # Alice's long-lived key
            [alice]
            aws_access_key_id = AKIAOLDKEY0000000000
            aws_secret_access_key = old/secret
            """)
        try home.write(
            ".aws/config",
            """
            [profile alice]
            mfa_serial = \(Self.serial)

            [profile nomfa]
            aws_access_key_id = AKIAOTHER00000000000
            aws_secret_access_key = other/secret

            [profile temporary]
            aws_access_key_id = ASIATEMPORARY0000000
            aws_secret_access_key = temporary/secret
            aws_session_token = temporary-token

            [profile dev]
            role_arn = arn:aws:iam::123456789012:role/Dev
            source_profile = alice

            [profile deeper]
            role_arn = arn:aws:iam::123456789012:role/Deeper
            source_profile = dev
            duration_seconds = 7200
            """)
    }

    func sessions(mfaCode: String? = "123456") throws -> UserSessions {
        try UserSessions(
            environment: home.environment(["AWS_ENDPOINT_URL": InMemoryServices.sts]), http: services,
            diagnostics: Diagnostics(), mfaCode: mfaCode)
    }
}

@Suite struct UserSessionsTests {
    let fixture: IAMUserFixture
    var services: InMemoryServices { fixture.services }

    init() throws { fixture = try IAMUserFixture() }

    @Test func keysComeFromTheEnvironmentUnlessAProfileIsNamed() throws {
        let environment = fixture.home.environment([
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00000", "AWS_SECRET_ACCESS_KEY": "env/secret",
            "AWS_SESSION_TOKEN": "env-token", "AWS_PROFILE": "temporary",
        ])
        var made = 0
        let fromEnvironment = try UserSessions.keys(profile: nil, environment: environment) {
            made += 1
            return try fixture.sessions()
        }
        #expect(fromEnvironment == .init(accessKeyID: "AKIAENVIRONMENT00000", secretAccessKey: "env/secret", sessionToken: "env-token"))
        #expect(made == 0)
        let named = try UserSessions.keys(profile: "nomfa", environment: environment) { try fixture.sessions() }
        #expect(named == .init(accessKeyID: "AKIAOTHER00000000000", secretAccessKey: "other/secret"))
        let selected = try UserSessions.keys(profile: nil, environment: fixture.home.environment(["AWS_PROFILE": "temporary"])) {
            try fixture.sessions()
        }
        #expect(
            selected == .init(accessKeyID: "ASIATEMPORARY0000000", secretAccessKey: "temporary/secret", sessionToken: "temporary-token"))
    }

    @Test func anMFASessionIsCachedPerDeviceAndServesTheNextRun() throws {
        let first = try fixture.sessions().session(profileName: "alice", durationSeconds: nil)
        #expect(first.mfaSerial == IAMUserFixture.serial)
        #expect(first.identity.account == InMemoryServices.account)
        #expect(services.count("GetSessionToken") == 1)

        let before = services.requests.count
        // No code this time: the cached session needs none.
        let second = try fixture.sessions(mfaCode: nil).session(profileName: "alice", durationSeconds: nil)
        #expect(second.credentials == first.credentials)
        #expect(services.requests.count == before)
    }

    @Test func aWrongCodeIsRefusedAndNothingIsCached() throws {
        #expect(throws: AWSQueryError.self) { try fixture.sessions(mfaCode: "000000").session(profileName: "alice", durationSeconds: nil) }
        _ = try fixture.sessions().session(profileName: "alice", durationSeconds: nil)
        #expect(services.count("GetSessionToken") == 2)
    }

    @Test func withoutADeviceTheSessionIsCachedPerKey() throws {
        services.state.withLock { $0.mfaDevices = [] }
        let first = try fixture.sessions(mfaCode: nil).session(profileName: "nomfa", durationSeconds: 3600)
        #expect(first.mfaSerial == nil)
        #expect(services.count("ListMFADevices") == 1)
        #expect(services.count("GetSessionToken DurationSeconds=3600") == 1)

        let before = services.requests.count
        let second = try fixture.sessions(mfaCode: nil).session(profileName: "nomfa", durationSeconds: 3600)
        #expect(second.credentials == first.credentials)
        #expect(services.requests.count == before)
    }

    @Test func aDeviceIAMListsIsUsedWhenTheProfileNamesNone() throws {
        let session = try fixture.sessions().session(profileName: "nomfa", durationSeconds: nil)
        #expect(session.mfaSerial == IAMUserFixture.serial)
        // Cached under the device: the profile that names it finds it without asking for a code.
        let before = services.requests.count
        _ = try fixture.sessions(mfaCode: nil).session(profileName: "alice", durationSeconds: nil)
        #expect(services.requests.count == before)
    }

    @Test func oneMFACodeServesEveryRoleInTheChain() throws {
        let sessions = try fixture.sessions()
        let dev = try sessions.assume(profileName: "dev", durationSeconds: nil)
        #expect(dev.role.description == "arn:aws:iam::123456789012:role/Dev")
        let deeper = try fixture.sessions(mfaCode: nil).assume(profileName: "deeper", durationSeconds: nil)
        #expect(deeper.role.description == "arn:aws:iam::123456789012:role/Deeper")
        #expect(services.count("GetSessionToken") == 1)
        // Dev once (cached for the second chain), then Deeper with chaining's one-hour cap.
        #expect(
            services.requests.filter { $0.contains("AssumeRole") }.map { String($0.split(separator: " ").last!) }
                == ["DurationSeconds=3600", "DurationSeconds=3600"])
    }

    @Test func aProfileWithoutARoleCannotBeAssumed() throws {
        #expect(throws: ProfilesError.self) { try fixture.sessions().assume(profileName: "alice", durationSeconds: nil) }
        #expect(services.requests.isEmpty)
    }
}

@Suite struct KeyRotationTests {
    let fixture: IAMUserFixture
    var services: InMemoryServices { fixture.services }

    init() throws { fixture = try IAMUserFixture() }

    func rotation(timeout: Duration = .seconds(20)) throws -> KeyRotation {
        var rotation = KeyRotation(sessions: try fixture.sessions(), profileName: "alice")
        rotation.verificationTimeout = timeout
        return rotation
    }

    @Test func replacesTheKeyInPlaceAndDeletesTheOldOne() throws {
        let outcome = try rotation().run()
        #expect(outcome.oldKeyID == "AKIAOLDKEY0000000000")
        #expect(services.state.withLock { $0.accessKeys } == [outcome.newKeyID])
        let text = try fixture.home.read(".aws/credentials")
        #expect(
            text == """
                # Alice's long-lived key
                [alice]
                aws_access_key_id = \(outcome.newKeyID)
                aws_secret_access_key = new/secret+\(outcome.newKeyID)
                """)
    }

    @Test func waitsForTheNewKeyToWork() throws {
        services.state.withLock { $0.newKeyWorksAfter = 1 }
        let outcome = try rotation().run()
        #expect(services.count("GetCallerIdentity") == 2)
        #expect(services.state.withLock { $0.accessKeys } == [outcome.newKeyID])
    }

    @Test func aNewKeyThatNeverWorksIsDeletedAndTheOldOneKept() throws {
        services.state.withLock { $0.newKeyWorksAfter = 1000 }
        let before = try fixture.home.read(".aws/credentials")
        #expect(throws: AWSQueryError.self) { try rotation(timeout: .milliseconds(100)).run() }
        #expect(services.state.withLock { $0.accessKeys } == ["AKIAOLDKEY0000000000"])
        #expect(try fixture.home.read(".aws/credentials") == before)
    }

    @Test func aFileItCannotWriteDeletesTheNewKeyAgain() throws {
        chmod(fixture.home.path + "/.aws/credentials", 0o400)
        #expect(throws: FileError.self) { try rotation().run() }
        #expect(services.state.withLock { $0.accessKeys } == ["AKIAOLDKEY0000000000"])
        #expect(services.count("DeleteAccessKey") == 1)
    }
}
