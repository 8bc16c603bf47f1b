import MawsCore
import Testing

@testable import MawsRoles

@Suite struct TrustPolicyTests {
    let policy = TrustPolicy(provider: "https://auth.example.com/", clientID: "client-1")
    let account = "123456789012"
    var federated: String { "arn:aws:iam::\(account):oidc-provider/auth.example.com/" }

    func document(
        effect: String = "Allow", action: String = "\"sts:AssumeRoleWithWebIdentity\"", principal: String? = nil,
        condition: String
    ) -> String {
        """
        {"Version": "2012-10-17", "Statement": [{"Effect": "\(effect)", "Action": \(action),
         "Principal": \(principal ?? "{\"Federated\": \"\(federated)\"}"), "Condition": \(condition)}]}
        """
    }

    @Test func stringEqualsAndForAnyValueGiveGroups() {
        let plain = document(
            condition: #"{"StringEquals": {"auth.example.com/:amr": ["ops", "dev"], "auth.example.com/:aud": "client-1"}}"#)
        #expect(policy.analyze(plain, account: account) == .groups([.init(groups: ["ops", "dev"], isPattern: false)]))
        let anyValue = document(condition: #"{"ForAnyValue:StringLike": {"auth.example.com:amr": "finance-*"}}"#)
        #expect(policy.analyze(anyValue, account: account) == .groups([.init(groups: ["finance-*"], isPattern: true)]))
        let equalsOne = document(condition: #"{"ForAnyValue:StringEquals": {"auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(equalsOne, account: account) == .groups([.init(groups: ["ops"], isPattern: false)]))
    }

    @Test func actionsInAnyCaseAndAsLists() {
        let listed = document(
            action: #"["sts:AssumeRole", "STS:assumeRoleWithWebIdentity"]"#,
            condition: #"{"StringEquals": {"auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(listed, account: account) == .groups([.init(groups: ["ops"], isPattern: false)]))
    }

    @Test func listValuedFederatedAndStarPrincipalNeverCrash() {
        let list = document(
            principal: "{\"Federated\": [\"arn:aws:iam::\(account):oidc-provider/other.example.com\", \"\(federated)\"]}",
            condition: #"{"StringEquals": {"auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(list, account: account) == .groups([.init(groups: ["ops"], isPattern: false)]))
        let star = document(principal: "\"*\"", condition: #"{"StringEquals": {"auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(star, account: account) == .notFederated)
        let service = document(principal: #"{"Service": "ec2.amazonaws.com"}"#, condition: "{}")
        #expect(policy.analyze(service, account: account) == .notFederated)
        let otherAccount = document(
            principal: #"{"Federated": "arn:aws:iam::999999999999:oidc-provider/auth.example.com/"}"#,
            condition: #"{"StringEquals": {"auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(otherAccount, account: account) == .notFederated)
    }

    @Test func unsupportedShapesAreReportedWithAReason() {
        let negated = document(condition: #"{"StringNotEquals": {"auth.example.com/:amr": "contractors"}}"#)
        guard case .unsupported(let reason) = policy.analyze(negated, account: account) else {
            Issue.record("not reported")
            return
        }
        #expect(reason.contains("StringNotEquals"))
        let forAll = document(condition: #"{"ForAllValues:StringLike": {"auth.example.com/:amr": "ops"}}"#)
        guard case .unsupported = policy.analyze(forAll, account: account) else {
            Issue.record("ForAllValues not reported")
            return
        }
        let two = document(
            condition: #"{"StringEquals": {"auth.example.com/:amr": "ops"}, "StringLike": {"auth.example.com/:amr": "dev*"}}"#)
        guard case .unsupported(let twoReason) = policy.analyze(two, account: account) else {
            Issue.record("two not reported")
            return
        }
        #expect(twoReason.contains("2 group conditions"))
        let none = document(condition: #"{"StringEquals": {"auth.example.com/:aud": "client-1"}}"#)
        guard case .unsupported = policy.analyze(none, account: account) else {
            Issue.record("no group condition not reported")
            return
        }
        #expect(policy.analyze("not json", account: account) == .unsupported("the trust policy is not JSON"))
    }

    @Test func anotherClientsRoleAndDenyStatementsAreSkipped() {
        let other = document(condition: #"{"StringEquals": {"auth.example.com/:aud": "client-2", "auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(other, account: account) == .notFederated)
        let deny = document(effect: "Deny", condition: #"{"StringEquals": {"auth.example.com/:amr": "ops"}}"#)
        #expect(policy.analyze(deny, account: account) == .notFederated)
    }

    @Test func urlEncodedPoliciesAsIAMReturnsThem() {
        let encoded = FormEncoding.percentEncode(document(condition: #"{"StringEquals": {"auth.example.com/:amr": "a+b"}}"#))
        #expect(policy.analyze(encoded, account: account) == .groups([.init(groups: ["a+b"], isPattern: false)]))
    }

    @Test func wildcardsMatchLikeStringLike() {
        #expect(wildcardMatches("finance-*", "Finance-EU"))
        #expect(wildcardMatches("team-?", "team-a") && !wildcardMatches("team-?", "team-ab"))
        #expect(wildcardMatches("*", "") && wildcardMatches("a*b*c", "aXXbYc") && !wildcardMatches("a*b", "acd"))
        #expect(wildcardMatches("ops", "OPS") && !wildcardMatches("ops", "ops2"))
    }
}

@Suite struct BuilderConfigTests {
    @Test func acceptsSeveralProviders() throws {
        let path = "/tmp/maws-builder-\(UInt64.random(in: 0...UInt64.max)).ini"
        try AtomicFile.write(
            Array(
                """
                [builder]
                provider = auth.example.com/
                client_id = one
                group_role_map = /tmp/m.json
                account_aliases = /tmp/a.json

                [provider contractors]
                provider = login.partner.example
                client_id = two

                [account 123456789012]
                role_arn = arn:aws:iam::123456789012:role/reader
                """.utf8), to: path)
        let config = try BuilderConfig.load(path)
        #expect(
            config.providers == [.init(name: "auth.example.com/", clientID: "one"), .init(name: "login.partner.example", clientID: "two")])
        #expect(config.accounts.map(\.id) == ["123456789012"])
        #expect(config.parallelism == 4)
    }
}
