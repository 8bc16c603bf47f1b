import MawsTestSupport
import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct VaultSettingsTests {
    @Test func durationsAreVaultsSpellings() {
        #expect(VaultSettings.seconds("3600") == 3600)
        #expect(VaultSettings.seconds("3600s") == 3600)
        #expect(VaultSettings.seconds("90m") == 5400)
        #expect(VaultSettings.seconds("1h30m") == 5400)
        #expect(VaultSettings.seconds("1d") == 86400)
        for bad in ["", "-5", "1x", "h", "1.5h", "1h 30m", "99999999999h"] {
            #expect(VaultSettings.seconds(bad) == nil, "\(bad)")
        }
    }

    @Test func mountsAndNamesCannotLeaveTheirPlaceInAURL() {
        #expect(VaultSettings.mountPath("/team/aws/") == "team/aws")
        for bad in ["", "/", "a//b", "../sys", "a/./b", "aws?x=1", "aws#", "a b", "aws%2f..", "a@b"] {
            #expect(VaultSettings.mountPath(bad) == nil, "\(bad)")
        }
        #expect(VaultSettings.isName("deploy-prod.v2@team"))
        for bad in ["", "-x", "x-", "a/b", "a b", "../x", "é", String(repeating: "a", count: 129)] {
            #expect(!VaultSettings.isName(bad), "\(bad)")
        }
    }

    @Test func configKeysAreReadAndCheckedWithTheirLine() throws {
        let home = try TemporaryHome()
        let required = """
            [maws]
            well_known_url = https://idp.example.com/.well-known/openid-configuration
            client_id = c
            idtoken_for_roles_url = https://roles.example.com/roles

            """
        let good = try home.write(
            "good.ini",
            required
                + "vault_addr = https://vault.example.com:8200\nvault_auth_mount = /oidc/\nvault_auth_role = maws\n"
                + "vault_aws_mount = team/aws\nvault_namespace = org/team-a/\nvault_ttl = 2h\n")
        let vault = try ConfigLoader(environment: home.environment(), explicitFiles: [good]).load().config.vault
        #expect(vault.address?.string == "https://vault.example.com:8200")
        #expect(vault.authMount == "oidc")
        #expect(vault.authRole == "maws")
        #expect(vault.awsMount == "team/aws")
        #expect(vault.namespace == "org/team-a")
        #expect(vault.ttl == 7200)

        let defaults = try ConfigLoader(environment: home.environment(), explicitFiles: [try home.write("d.ini", required)]).load()
        #expect(defaults.config.vault == VaultSettings())
        #expect(defaults.config.vault.authMount == "jwt" && defaults.config.vault.awsMount == "aws")

        for (line, reason) in [
            ("vault_addr = http://vault.example.com", "uses plain http"),
            ("vault_aws_mount = ../sys", "is not a Vault mount path"),
            ("vault_auth_role = a/b", "is not a Vault role name"),
            ("vault_ttl = 5m", "must be a duration from 15m to 36h"),
        ] {
            let path = try home.write("bad.ini", required + line + "\n")
            let error = #expect(throws: ConfigError.self) {
                try ConfigLoader(environment: home.environment(), explicitFiles: [path]).load()
            }
            #expect(error?.description.contains("bad.ini:5:") == true, "\(line)")
            #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
        }
    }
}

/// Vault's HTTP API as `VaultClient` speaks it, against answers written as Vault 1.17 documents them.
@Suite struct VaultClientTests {
    /// An HTTP client that records requests and answers each with `answer`.
    final class Recorder: HTTPClient, @unchecked Sendable {
        var requests: [HTTPRequest] = []
        let answer: (HTTPRequest) -> HTTPResponse

        init(_ answer: @escaping (HTTPRequest) -> HTTPResponse) { self.answer = answer }

        func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
            requests.append(request)
            return answer(request)
        }

        func header(_ name: String, of index: Int = 0) -> String? {
            requests[index].headers.first { $0.name == name }?.value
        }

        func body(_ index: Int = 0) -> [String: String] {
            (try? JSONReader.decode([String: String].self, from: requests[index].body ?? [])) ?? [:]
        }
    }

    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(text.utf8))
    }

    static let address = try! EndpointURL(validating: "https://vault.example.com:8200/")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func logsInWithTheJWTInTheBodyAndTheNamespaceInAHeader() throws {
        let http = Recorder { _ in
            Self.json(
                """
                {"request_id":"r","lease_id":"","renewable":false,"lease_duration":0,"data":null,"wrap_info":null,"warnings":null,
                 "auth":{"client_token":"hvs.CAESIExample","accessor":"acc1","policies":["default","aws-all"],"token_policies":["default","aws-all"],
                 "metadata":{"role":"maws"},"lease_duration":2764800,"renewable":true,"entity_id":"e","token_type":"service","orphan":true}}
                """)
        }
        let token = try VaultClient(address: Self.address, namespace: "org/team-a", http: http).login(
            mount: "jwt", role: "maws", jwt: "eyJ.jwt.sig")
        #expect(
            token
                == VaultClient.Token(
                    clientToken: "hvs.CAESIExample", accessor: "acc1", leaseDuration: 2_764_800, policies: ["default", "aws-all"]))
        #expect(http.requests[0].url.string == "https://vault.example.com:8200/v1/auth/jwt/login")
        #expect(http.requests[0].method == .post)
        #expect(http.body() == ["role": "maws", "jwt": "eyJ.jwt.sig"])
        #expect(http.header("X-Vault-Namespace") == "org/team-a")
        #expect(http.header("X-Vault-Request") == "true")
        #expect(http.header("X-Vault-Token") == nil)
    }

    @Test func withoutARoleTheAuthMethodsDefaultRoleIsUsed() throws {
        let http = Recorder { _ in Self.json(#"{"auth":{"client_token":"hvs.x","accessor":"a","lease_duration":60}}"#) }
        _ = try VaultClient(address: Self.address, namespace: nil, http: http).login(mount: "oidc", role: nil, jwt: "j")
        #expect(http.body() == ["jwt": "j"])
        #expect(http.header("X-Vault-Namespace") == nil)
    }

    @Test func aRefusalQuotesVaultsErrorsWithoutTheSecretsSent() throws {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.payload.signature"
        let http = Recorder { _ in
            Self.json(#"{"errors":["error validating token: token \#(jwt) is expired\u001b[31m","second\nline"]}"#, status: 400)
        }
        let error = #expect(throws: VaultError.self) {
            try VaultClient(address: Self.address, namespace: nil, http: http).login(mount: "jwt", role: "maws", jwt: jwt)
        }
        let text = try #require(error).description
        #expect(!text.contains(jwt))
        #expect(text.contains("Vault refused auth/jwt/login (HTTP 400: error validating token: token [hidden] is expired"))
        #expect(text.contains("check vault_auth_role"))
        #expect(!text.contains("\u{1b}") && !text.contains("\n"))
    }

    @Test func goMultierrorTextsBecomeTheirItems() {
        #expect(
            VaultClient.items("2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n") == ["permission denied", "invalid token"])
        #expect(VaultClient.items("1 error occurred:\n\t* unsupported path\n\n") == ["unsupported path"])
        #expect(VaultClient.items("Vault is sealed") == ["Vault is sealed"])
    }

    @Test func aTokenThatCouldInjectAHeaderIsRefused() {
        let http = Recorder { _ in Self.json(#"{"auth":{"client_token":"hvs.a\r\nX-Evil: 1","accessor":"a","lease_duration":60}}"#) }
        #expect(throws: VaultError.invalidResponse(path: "auth/jwt/login", reason: "the client token holds characters a token cannot")) {
            try VaultClient(address: Self.address, namespace: nil, http: http).login(mount: "jwt", role: nil, jwt: "j")
        }
    }

    @Test func stsCredentialsComeWithTheTokenInAHeaderAndTheTTLInTheBody() throws {
        let http = Recorder { _ in
            Self.json(
                """
                {"request_id":"r","lease_id":"aws/sts/deploy/abc","renewable":false,"lease_duration":3599,
                 "data":{"access_key":"ASIAEXAMPLEKEY123456","secret_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                 "security_token":"FwoGZXIvYXdzEXAMPLE=","arn":"arn:aws:sts::123456789012:assumed-role/Deploy/vault-x"},
                 "wrap_info":null,"warnings":null,"auth":null}
                """)
        }
        let secret = try VaultClient(address: Self.address, namespace: nil, http: http)
            .awsCredentials(mount: "team/aws", role: "deploy", ttl: 3600, token: "hvs.tok", now: Self.now)
        #expect(http.requests.count == 1)
        #expect(http.requests[0].url.string == "https://vault.example.com:8200/v1/team/aws/sts/deploy")
        #expect(!http.requests[0].url.string.contains("hvs.tok"))
        #expect(http.header("X-Vault-Token") == "hvs.tok")
        #expect(http.body() == ["ttl": "3600s"])
        #expect(secret.credentials.sessionToken == "FwoGZXIvYXdzEXAMPLE=")
        #expect(secret.credentials.expiration == Self.now.addingTimeInterval(3599))
        #expect(secret.leaseID == "aws/sts/deploy/abc")
        #expect(secret.arn == "arn:aws:sts::123456789012:assumed-role/Deploy/vault-x")
        #expect(!secret.isIAMUser)
    }

    @Test func aLegacyRolesIAMUserIsReadFromTheCredsPath() throws {
        let http = Recorder { request in
            if request.url.string.hasSuffix("/sts/legacy") {
                return Self.json(
                    #"{"errors":["attempted to retrieve iam_user credentials through the sts path; this is not allowed for legacy roles"]}"#,
                    status: 400)
            }
            return Self.json(
                """
                {"lease_id":"aws/creds/legacy/x","renewable":true,"lease_duration":3600,
                 "data":{"access_key":"AKIAEXAMPLEKEY123456","secret_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","security_token":null}}
                """)
        }
        let secret = try VaultClient(address: Self.address, namespace: nil, http: http)
            .awsCredentials(mount: "aws", role: "legacy", ttl: nil, token: "t", now: Self.now)
        #expect(
            http.requests.map(\.url.string).map { $0.replacing("https://vault.example.com:8200", with: "") } == [
                "/v1/aws/sts/legacy", "/v1/aws/creds/legacy",
            ])
        #expect(http.body(0) == [:])
        #expect(secret.isIAMUser)
        #expect(secret.credentials.sessionToken == nil)
    }

    @Test func answersThatAreNotCredentialsAreRefused() {
        let cases: [(String, String)] = [
            (
                #"{"data":{"access_key":"AKIA'; rm -rf ~","secret_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},"lease_duration":60}"#,
                "AccessKeyId"
            ),
            (
                #"{"data":{"access_key":"AKIAEXAMPLEKEY123456","secret_key":"$(id)wJalrXUtnFEMI/K7MDENG"},"lease_duration":60}"#,
                "SecretAccessKey"
            ),
            (
                #"{"data":{"access_key":"AKIAEXAMPLEKEY123456","secret_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},"lease_duration":0}"#,
                "no lease duration"
            ),
            (#"{"data":null,"lease_duration":60}"#, "no data"),
            (#"<html>"#, "not valid JSON"),
        ]
        for (body, reason) in cases {
            let http = Recorder { _ in Self.json(body) }
            let error = #expect(throws: VaultError.self) {
                try VaultClient(address: Self.address, namespace: nil, http: http).awsCredentials(
                    mount: "aws", role: "r", ttl: nil, token: "t", now: Self.now)
            }
            #expect(error?.description.contains(reason) == true, "\(body): \(String(describing: error))")
        }
    }

    @Test func revokeSelfSendsOnlyTheToken() throws {
        let http = Recorder { _ in HTTPResponse(status: 204) }
        try VaultClient(address: Self.address, namespace: "ns", http: http).revokeSelf(token: "hvs.gone")
        #expect(http.requests[0].url.string == "https://vault.example.com:8200/v1/auth/token/revoke-self")
        #expect(http.header("X-Vault-Token") == "hvs.gone")
        #expect(http.body() == [:])
    }

    @Test func refusalsSayWhatToCheck() {
        #expect(
            VaultError.refused(path: "aws/sts/deploy", status: 403, errors: ["permission denied"]).description
                == "Vault refused aws/sts/deploy (HTTP 403: permission denied); your Vault token's policies do not allow this; check the role name, or ask your Vault administrator"
        )
        #expect(
            VaultError.refused(path: "aws/sts/x", status: 404, errors: []).description.contains(
                "check vault_auth_mount, vault_aws_mount and vault_namespace"))
        #expect(VaultError.refused(path: "aws/sts/x", status: 503, errors: ["Vault is sealed"]).description.contains("sealed"))
        #expect(VaultError.notConfigured.exitCode == ExitStatus.usage)
    }
}

/// IAM user keys from Vault have no session token: every output says so, and a profile maws wrote
/// them into stays maws's to refresh and remove.
@Suite struct LeasedKeyOutputTests {
    static func handoff(_ key: String) -> CredentialOutput.Handoff {
        CredentialOutput.Handoff(
            credentials: AWSCredentials(
                accessKeyID: key, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: nil,
                expiration: Date(timeIntervalSince1970: 1_800_000_000)),
            accountID: "123456789012", promptName: "123456789012-deploy", principal: "arn:aws:iam::123456789012:user/vault-deploy")
    }

    @Test func noOutputCarriesASessionToken() throws {
        let home = try TemporaryHome()
        func deliver(_ format: OutputFormat) throws -> String {
            try CredentialOutput(format: format, dialect: .sh, profile: nil, region: nil, environment: home.environment())
                .deliver(Self.handoff("AKIAEXAMPLEKEY123456")).stdout
        }
        let envvar = try deliver(.envvar)
        #expect(!envvar.contains("export AWS_SESSION_TOKEN"))
        #expect(envvar.contains("unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN;"))
        #expect(
            try deliver(.boto)
                == #"{"aws_access_key_id":"AKIAEXAMPLEKEY123456","aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#
                + "\n")
        #expect(
            try deliver(.js) == #"{"accessKeyId":"AKIAEXAMPLEKEY123456","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#
                + "\n")
        let handoff = Self.handoff("AKIAEXAMPLEKEY123456")
        #expect(
            CredentialOutput.credentialProcessLine(credentials: handoff.credentials, accountID: handoff.accountID)
                == #"{"AccessKeyId":"AKIAEXAMPLEKEY123456","AccountId":"123456789012","Expiration":"2027-01-15T08:00:00Z","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","Version":1}"#
                + "\n")
    }

    @Test func aLeasedKeyMawsWroteIsReplacedButAnyOtherLongLivedKeyIsNot() throws {
        let home = try TemporaryHome()
        let environment = home.environment()
        let output = CredentialOutput(format: .awscli, dialect: .sh, profile: "deploy", region: nil, environment: environment)
        // An STS session first: its token must not survive next to an IAM user's keys.
        _ = try output.deliver(
            CredentialOutput.Handoff(
                credentials: AWSCredentials(
                    accessKeyID: "ASIAEXAMPLEKEY123456", secretAccessKey: "c2VjcmV0", sessionToken: "dG9rZW4=", expiration: Date()),
                accountID: "123456789012", promptName: "p", principal: "arn:aws:iam::123456789012:role/Deploy"))
        _ = try output.deliver(Self.handoff("AKIAFIRSTLEASEDKEY01"))
        var file = try home.read(".aws/credentials")
        #expect(file.contains("aws_access_key_id = AKIAFIRSTLEASEDKEY01") && !file.contains("aws_session_token"))
        // The next lease's key replaces the one maws wrote.
        _ = try output.deliver(Self.handoff("AKIASECONDLEASEDKEY2"))
        file = try home.read(".aws/credentials")
        #expect(file.contains("AKIASECONDLEASEDKEY2") && !file.contains("AKIAFIRSTLEASEDKEY01"))
        // A key somebody else put there is theirs, leased-looking or not.
        try home.write(".aws/credentials", file.replacing("AKIASECONDLEASEDKEY2", with: "AKIAPERSONSOWNKEY001"))
        #expect(throws: ProfileError.foreignKeys(profile: "deploy", path: environment["AWS_SHARED_CREDENTIALS_FILE"]!)) {
            try output.deliver(Self.handoff("AKIATHIRDLEASEDKEY03"))
        }
        #expect(try home.read(".aws/credentials").contains("AKIAPERSONSOWNKEY001"))
    }
}
