#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS STS over the Query protocol (form-encoded POST, XML answer).
package struct STSClient: Sendable {
    package var endpoint: EndpointURL
    package var http: HTTPClient

    package static let apiVersion = "2011-06-15"

    package init(endpoint: EndpointURL, http: HTTPClient) {
        self.endpoint = endpoint
        self.http = http
    }

    /// `AssumeRoleWithWebIdentity`: unsigned, the ID token is the credential. It travels in the
    /// POST body, never in the URL.
    package func assumeRoleWithWebIdentity(
        role: RoleARN, sessionName: String, webIdentityToken: String,
        durationSeconds: Int
    ) throws -> AssumedRole {
        let request = HTTPRequest.postForm(
            endpoint,
            [
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", Self.apiVersion),
                ("RoleArn", role.description),
                ("RoleSessionName", sessionName),
                ("WebIdentityToken", webIdentityToken),
                ("DurationSeconds", String(durationSeconds)),
            ], accept: "text/xml")
        let response = try http.send(request)
        let document = try Self.parse(response, role: role, endpoint: endpoint)
        guard let result = document.child("AssumeRoleWithWebIdentityResult") else {
            throw STSError.invalidResponse("no AssumeRoleWithWebIdentityResult element")
        }
        return AssumedRole(
            role: role, credentials: try Self.credentials(in: result),
            assumedRoleARN: result.find("AssumedRoleUser", "Arn")?.text ?? "",
            durationSeconds: durationSeconds)
    }

    /// Parses the XML answer, turning an `ErrorResponse` (or a non-2xx status) into an `STSError`.
    static func parse(_ response: HTTPResponse, role: RoleARN, endpoint: EndpointURL) throws(STSError) -> XMLElement {
        let parsed = Result { () throws(XMLError) in try XMLElement.parse(String(decoding: response.body, as: UTF8.self)) }
        let document = try? parsed.get()
        if let error = document?.find("Error") ?? (document?.name == "Error" ? document : nil) {
            throw classify(
                code: error.child("Code")?.text ?? "Unknown", message: error.child("Message")?.text ?? "",
                status: response.status, role: role)
        }
        guard response.isSuccess else {
            throw .httpStatus(endpoint: endpoint.string, status: response.status, snippet: response.bodySnippet)
        }
        if case .failure(let problem) = parsed { throw .invalidResponse("the answer is not XML (\(problem.reason))") }
        return document!
    }

    static func classify(code: String, message: String, status: Int, role: RoleARN) -> STSError {
        switch code {
        case "ValidationError" where message.contains("DurationSeconds exceeds the MaxSessionDuration"):
            return .durationTooLong(message: message)
        case "AccessDenied":
            return .accessDenied(role: role.description, message: message)
        case "PackedPolicyTooLarge":
            return .packedPolicyTooLarge(message: message)
        case "InvalidIdentityToken", "IDPRejectedClaim":
            return .invalidIdentityToken(message: message)
        case "ExpiredTokenException", "ExpiredToken":
            return .expiredToken(message: message)
        default:
            return .service(code: code, message: message, status: status)
        }
    }

    static func credentials(in result: XMLElement) throws(STSError) -> AWSCredentials {
        guard let element = result.child("Credentials"),
            let accessKeyID = element.child("AccessKeyId")?.text, !accessKeyID.isEmpty,
            let secret = element.child("SecretAccessKey")?.text, !secret.isEmpty,
            let token = element.child("SessionToken")?.text, !token.isEmpty,
            let expirationText = element.child("Expiration")?.text
        else {
            throw .invalidResponse("the Credentials element is incomplete")
        }
        guard let expiration = ISO8601.parse(expirationText) else {
            throw .invalidResponse("Expiration '\(TerminalText.line(expirationText.prefix(40)))' is not an ISO 8601 time")
        }
        if let problem = AccessKeyCharacters.problem(accessKeyID: accessKeyID, secret: secret, sessionToken: token) {
            throw .invalidResponse(problem)
        }
        return AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

}
