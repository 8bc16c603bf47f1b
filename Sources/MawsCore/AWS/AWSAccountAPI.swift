#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The STS and IAM calls maws makes with IAM user keys (or sessions made from them).
package struct AWSAccountAPI: Sendable {
    package var environment: Environment
    package var http: HTTPClient
    /// The signing region for endpoints set by environment variables; the global endpoints sign for us-east-1.
    package var region: String?
    /// The config's `sts_endpoint`, for STS calls when no environment variable names one.
    package var configuredSTSEndpoint: EndpointURL?

    package init(environment: Environment, http: HTTPClient, region: String? = nil, configuredSTSEndpoint: EndpointURL? = nil) {
        self.environment = environment
        self.http = http
        self.region = region
        self.configuredSTSEndpoint = configuredSTSEndpoint
    }

    package struct CallerIdentity: Sendable, Equatable {
        package var account: String
        package var arn: String
        package var userID: String

        /// The user name of an IAM user ARN (`arn:aws:iam::ACCOUNT:user/[path/]NAME`).
        package var userName: String? {
            guard arn.contains(":user/") else { return nil }
            return arn.split(separator: "/").last.map(String.init)
        }
    }

    func sts(_ credentials: SigV4Signer.Credentials) throws -> AWSQueryClient {
        let endpoint = try STSEndpoint.service(
            "STS", configured: configuredSTSEndpoint, global: STSEndpoint.global, environment: environment)
        return AWSQueryClient(
            endpoint: endpoint, region: signingRegion(endpoint), service: "sts", version: STSClient.apiVersion,
            credentials: credentials, http: http)
    }

    func iam(_ credentials: SigV4Signer.Credentials) throws -> AWSQueryClient {
        let endpoint = try STSEndpoint.service("IAM", configured: nil, global: STSEndpoint.iamGlobal, environment: environment)
        return AWSQueryClient(
            endpoint: endpoint, region: signingRegion(endpoint), service: "iam", version: "2010-05-08",
            credentials: credentials, http: http)
    }

    private func signingRegion(_ endpoint: EndpointURL) -> String {
        let global = endpoint.string.hasPrefix(STSEndpoint.global) || endpoint.string.hasPrefix(STSEndpoint.iamGlobal)
        return global ? "us-east-1" : region ?? STSEndpoint.region(environment)
    }

    package func callerIdentity(_ credentials: SigV4Signer.Credentials) throws -> CallerIdentity {
        let result = try sts(credentials).call("GetCallerIdentity")
        guard let account = result.child("Account")?.text, let arn = result.child("Arn")?.text else {
            throw AWSQueryError.invalidResponse(service: "sts", action: "GetCallerIdentity", reason: "no Account or Arn")
        }
        return CallerIdentity(account: account, arn: arn, userID: result.child("UserId")?.text ?? "")
    }

    package func sessionToken(
        _ credentials: SigV4Signer.Credentials, durationSeconds: Int?, mfaSerial: String?,
        mfaCode: String?
    ) throws -> AWSCredentials {
        var parameters: [(String, String)] = []
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let mfaSerial, let mfaCode { parameters += [("SerialNumber", mfaSerial), ("TokenCode", mfaCode)] }
        return try Self.credentials(in: try sts(credentials).call("GetSessionToken", parameters), action: "GetSessionToken")
    }

    package func assumeRole(
        _ credentials: SigV4Signer.Credentials, role: RoleARN, sessionName: String, externalID: String?,
        durationSeconds: Int?, mfaSerial: String?, mfaCode: String?
    ) throws -> AssumedRole {
        var parameters = [("RoleArn", role.description), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let mfaSerial, let mfaCode { parameters += [("SerialNumber", mfaSerial), ("TokenCode", mfaCode)] }
        let result = try sts(credentials).call("AssumeRole", parameters)
        return AssumedRole(
            role: role, credentials: try Self.credentials(in: result, action: "AssumeRole"),
            assumedRoleARN: result.find("AssumedRoleUser", "Arn")?.text ?? "", durationSeconds: durationSeconds ?? 3600)
    }

    /// The serial numbers (ARNs) of `userName`'s MFA devices.
    package func mfaDevices(_ credentials: SigV4Signer.Credentials, userName: String?) throws -> [String] {
        let result = try iam(credentials).call("ListMFADevices", userName.map { [("UserName", $0)] } ?? [])
        return (result.child("MFADevices")?.children ?? []).compactMap { $0.child("SerialNumber")?.text }
    }

    package func createAccessKey(_ credentials: SigV4Signer.Credentials) throws -> SigV4Signer.Credentials {
        let result = try iam(credentials).call("CreateAccessKey")
        guard let key = result.child("AccessKey"), let id = key.child("AccessKeyId")?.text,
            let secret = key.child("SecretAccessKey")?.text
        else {
            throw AWSQueryError.invalidResponse(service: "iam", action: "CreateAccessKey", reason: "no AccessKey")
        }
        if let problem = AccessKeyCharacters.problem(accessKeyID: id, secret: secret, sessionToken: nil) {
            throw AWSQueryError.invalidResponse(service: "iam", action: "CreateAccessKey", reason: problem)
        }
        return SigV4Signer.Credentials(accessKeyID: id, secretAccessKey: secret)
    }

    package func deleteAccessKey(_ credentials: SigV4Signer.Credentials, accessKeyID: String) throws {
        _ = try iam(credentials).call("DeleteAccessKey", [("AccessKeyId", accessKeyID)])
    }

    package struct Role: Sendable, Equatable {
        package var name: String
        package var arn: String
        /// As IAM returns it: URL-encoded JSON.
        package var trustPolicy: String
    }

    /// Every role of the account, page by page.
    package func roles(_ credentials: SigV4Signer.Credentials) throws -> [Role] {
        var roles: [Role] = []
        var marker: String?
        repeat {
            let result = try iam(credentials).call("ListRoles", marker.map { [("Marker", $0)] } ?? [])
            for member in result.child("Roles")?.children ?? [] {
                guard let name = member.child("RoleName")?.text, let arn = member.child("Arn")?.text else { continue }
                roles.append(Role(name: name, arn: arn, trustPolicy: member.child("AssumeRolePolicyDocument")?.text ?? ""))
            }
            marker = result.child("IsTruncated")?.text == "true" ? result.child("Marker")?.text : nil
        } while marker != nil
        return roles
    }

    package func accountAliases(_ credentials: SigV4Signer.Credentials) throws -> [String] {
        let result = try iam(credentials).call("ListAccountAliases")
        return (result.child("AccountAliases")?.children ?? []).map(\.text)
    }

    static func credentials(in result: XMLElement, action: String) throws -> AWSCredentials {
        do {
            return try STSClient.credentials(in: result)
        } catch {
            throw AWSQueryError.invalidResponse(service: "sts", action: action, reason: error.description)
        }
    }
}
