import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct STSResponseTests {
    let role = try! RoleARN(parsing: "arn:aws:iam::123456789012:role/Admin")

    static let success = """
        <?xml version="1.0" encoding="UTF-8"?>
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>alice</SubjectFromWebIdentityToken>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com</Arn>
              <AssumedRoleId>AROA:alice</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>FwoG&#x2B;token/+=</SessionToken>
              <SecretAccessKey>secret/key+1</SecretAccessKey>
              <Expiration>EXPIRATION</Expiration>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    func parse(_ body: String, status: Int = 200) throws -> XMLElement {
        try STSClient.parse(
            HTTPResponse(status: status, body: Data(body.utf8)), role: role,
            endpoint: try EndpointURL(validating: "https://sts.amazonaws.com"))
    }

    @Test(arguments: [
        ("<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", "<AccessKeyId>ASIA'$(touch x)'AAAA</AccessKeyId>"),
        ("<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>", "<AccessKeyId>asiaiosfodnn7example</AccessKeyId>"),
        ("<SecretAccessKey>secret/key+1</SecretAccessKey>", "<SecretAccessKey>secret&#10;[evil]</SecretAccessKey>"),
        ("<SessionToken>FwoG&#x2B;token/+=</SessionToken>", "<SessionToken>tok en</SessionToken>"),
    ])
    func refusesKeysWithCharactersAWSNeverUses(original: String, hostile: String) throws {
        let document = try parse(Self.success.replacingExpiration(with: "2026-11-21T17:25:33Z").replacing(original, with: hostile))
        let result = try #require(document.child("AssumeRoleWithWebIdentityResult"))
        #expect {
            try STSClient.credentials(in: result)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("STS sent an unusable answer: the ") && !text.contains("evil") && !text.contains("touch")
        }
    }

    @Test(arguments: [("2026-11-21T17:25:33Z", 1_795_281_933.0), ("2026-11-21T17:25:33.123Z", 1_795_281_933.123)])
    func readsCredentialsWithOrWithoutFractionalSeconds(expiration: String, epoch: Double) throws {
        let document = try parse(Self.success.replacingExpiration(with: expiration))
        let credentials = try STSClient.credentials(in: try #require(document.child("AssumeRoleWithWebIdentityResult")))
        #expect(credentials.accessKeyID == "ASIAIOSFODNN7EXAMPLE")
        #expect(credentials.secretAccessKey == "secret/key+1")
        #expect(credentials.sessionToken == "FwoG+token/+=")
        #expect(abs(credentials.expiration.timeIntervalSince1970 - epoch) < 0.001)
    }

    func error(_ code: String, _ message: String, status: Int = 400) -> String {
        """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
          <RequestId>r</RequestId>
        </ErrorResponse>
        """
    }

    @Test func classifiesTheErrorsMawsActsOn() {
        let tooLong = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        #expect(throws: STSError.durationTooLong(message: tooLong)) { try parse(error("ValidationError", tooLong)) }
        #expect(throws: STSError.accessDenied(role: role.description, message: "Not authorized")) {
            try parse(error("AccessDenied", "Not authorized"), status: 403)
        }
        #expect(throws: STSError.packedPolicyTooLarge(message: "Serialized token too large for session")) {
            try parse(error("PackedPolicyTooLarge", "Serialized token too large for session"))
        }
        #expect(throws: STSError.invalidIdentityToken(message: "Incorrect token audience")) {
            try parse(error("InvalidIdentityToken", "Incorrect token audience"))
        }
        #expect(throws: STSError.expiredToken(message: "Token expired")) { try parse(error("ExpiredTokenException", "Token expired")) }
        #expect(throws: STSError.service(code: "Throttling", message: "Rate exceeded", status: 400)) {
            try parse(error("Throttling", "Rate exceeded"), status: 400)
        }
        #expect(throws: STSError.httpStatus(endpoint: "https://sts.amazonaws.com", status: 502, snippet: "bad gateway")) {
            try parse("bad gateway", status: 502)
        }
        #expect(throws: STSError.invalidResponse("the answer is not XML (expected the root element)")) { try parse("{}") }
    }

    @Test func incompleteCredentialsAreRefused() throws {
        let document = try parse(Self.success.replacingExpiration(with: "tomorrow"))
        #expect(throws: STSError.invalidResponse("Expiration 'tomorrow' is not an ISO 8601 time")) {
            try STSClient.credentials(in: try #require(document.child("AssumeRoleWithWebIdentityResult")))
        }
    }
}

@Suite struct XMLTests {
    @Test func deeplyNestedXMLIsRefusedNotRecursedInto() {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect(throws: XMLError.self) { try XMLElement.parse(deep) }
        let sixtyFour = String(repeating: "<a>", count: 64) + String(repeating: "</a>", count: 64)
        #expect(throws: Never.self) { try XMLElement.parse(sixtyFour) }
        #expect {
            try STSClient.parse(
                HTTPResponse(status: 200, body: Data(deep.utf8)), role: try RoleARN(parsing: "arn:aws:iam::111111111111:role/R"),
                endpoint: try EndpointURL(validating: "https://sts.amazonaws.com"))
        } throws: { error in
            "\(error)" == "STS sent an unusable answer: the answer is not XML (elements nest deeper than 64 levels); check sts_endpoint"
        }
    }

    @Test func aStatusWithoutAnAWSErrorIsOneLineNamingTheEndpoint() {
        #expect {
            try STSClient.parse(
                HTTPResponse(status: 502, body: Data("<html><body>Bad Gateway</body></html>".utf8)),
                role: try RoleARN(parsing: "arn:aws:iam::111111111111:role/R"),
                endpoint: try EndpointURL(validating: "https://sts.amazonaws.com"))
        } throws: { error in
            "\(error)"
                == "STS at https://sts.amazonaws.com answered HTTP 502 (<html><body>Bad Gateway</body></html>); try again in a moment, or check sts_endpoint"
        }
    }

    @Test func readsEntitiesCDATAAndPrefixes() throws {
        let root = try XMLElement.parse(
            "<?xml version='1.0'?><!-- c --><a:Root xmlns:a='x'><B attr=\"1>2\">x &lt;&#65;&#x42;&gt; <![CDATA[<raw>]]></B><C/></a:Root>")
        #expect(root.name == "Root")
        #expect(root.child("B")?.text == "x <AB> <raw>")
        #expect(root.child("C")?.children.isEmpty == true)
    }

    @Test func rejectsBrokenDocuments() {
        #expect(throws: XMLError.self) { try XMLElement.parse("<a><b></a>") }
        #expect(throws: XMLError.self) { try XMLElement.parse("<a>") }
        #expect(throws: XMLError.self) { try XMLElement.parse("<a>&bogus;</a>") }
        #expect(throws: XMLError.self) { try XMLElement.parse("<a/><b/>") }
    }
}

@Suite struct RoleSessionTests {
    @Test func sessionNamesFitWhatSTSAccepts() {
        #expect(RoleSessionName.make(email: "alice@example.com", subject: "ad|x") == "alice@example.com")
        #expect(RoleSessionName.make(email: nil, subject: "ad|Mozilla-LDAP|alice") == "ad-Mozilla-LDAP-alice")
        #expect(RoleSessionName.make(email: "", subject: "é") == "maws--")
        #expect(RoleSessionName.make(email: String(repeating: "a", count: 80), subject: "x").count == 64)
    }

    @Test func durationLadderStartsWhereAskedAndStepsDown() {
        #expect(DurationLadder.steps(startingAt: 43200) == [43200, 28800, 14400, 7200, 3600, 900])
        #expect(DurationLadder.steps(startingAt: 5000) == [5000, 3600, 900])
        #expect(DurationLadder.steps(startingAt: 900) == [900])
    }
}

extension String {
    fileprivate func replacingExpiration(with value: String) -> String {
        split(separator: "EXPIRATION", omittingEmptySubsequences: false).joined(separator: value)
    }
}
