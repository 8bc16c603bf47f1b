#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A client for AWS services that speak the Query protocol (STS, IAM): a form-encoded POST signed
/// with SigV4, an XML answer.
package struct AWSQueryClient: Sendable {
    package var endpoint: EndpointURL
    package var region: String
    package var service: String
    package var version: String
    package var credentials: SigV4Signer.Credentials
    package var http: HTTPClient

    package init(
        endpoint: EndpointURL, region: String, service: String, version: String,
        credentials: SigV4Signer.Credentials, http: HTTPClient
    ) {
        self.endpoint = endpoint
        self.region = region
        self.service = service
        self.version = version
        self.credentials = credentials
        self.http = http
    }

    /// Calls `action` and returns its `<ActionResult>` element.
    package func call(_ action: String, _ parameters: [(String, String)] = []) throws -> XMLElement {
        let body = Array(FormEncoding.encode([("Action", action), ("Version", version)] + parameters).utf8)
        let contentType = "application/x-www-form-urlencoded; charset=utf-8"
        let signer = SigV4Signer(credentials: credentials, region: region, service: service)
        let signature = try signer.sign(
            .init(
                method: "POST", path: endpoint.path,
                headers: [("Host", endpoint.authority), ("Content-Type", contentType)],
                body: body), at: Date())
        let request = HTTPRequest(
            method: .post, url: endpoint,
            headers: [("Content-Type", contentType), ("Accept", "text/xml")] + signature.headers, body: body)
        let response = try http.send(request)
        let document = try AWSQueryError.check(response, service: service, action: action, endpoint: endpoint)
        guard let result = document.child("\(action)Result") ?? (response.isSuccess ? document : nil) else {
            throw AWSQueryError.invalidResponse(service: service, action: action, reason: "no \(action)Result element")
        }
        return result
    }
}

/// Errors of signed STS and IAM calls (the unsigned web-identity call has `STSError`).
package enum AWSQueryError: MawsError, Equatable {
    case service(service: String, action: String, code: String, message: String, status: Int)
    /// A status without an AWS error document (a proxy's or load balancer's page).
    case httpStatus(service: String, action: String, endpoint: String, status: Int, snippet: String)
    case invalidResponse(service: String, action: String, reason: String)

    package var code: String? {
        if case .service(_, _, let code, _, _) = self { return code }
        return nil
    }

    package var description: String {
        switch self {
        case .service(let service, let action, let code, let message, let status):
            let advice: String
            switch code {
            case "InvalidClientTokenId", "SignatureDoesNotMatch":
                advice = "; the access key is unknown or its secret is wrong: check the profile's keys"
            case "ExpiredToken":
                advice = "; the session has expired: get a new one"
            case "AccessDenied" where message.contains("MultiFactorAuthentication"):
                advice = "; the MFA code was wrong or already used: wait for the next one"
            default:
                advice = ""
            }
            return "\(service.uppercased()) \(action) failed (HTTP \(status) \(code)): \(message)\(advice)"
        case .httpStatus(let service, let action, let endpoint, let status, let snippet):
            return "\(service.uppercased()) \(action) at \(endpoint) answered HTTP \(status)\(snippet.isEmpty ? "" : " (\(snippet))"); "
                + (status >= 500 ? "try again in a moment" : "check the endpoint (AWS_ENDPOINT_URL)")
        case .invalidResponse(let service, let action, let reason):
            return "\(service.uppercased()) \(action) sent an unusable answer: \(reason)"
        }
    }

    /// The parsed answer, or the error it carries.
    static func check(_ response: HTTPResponse, service: String, action: String, endpoint: EndpointURL) throws(AWSQueryError) -> XMLElement
    {
        let parsed = Result { () throws(XMLError) in try XMLElement.parse(String(decoding: response.body, as: UTF8.self)) }
        let document = try? parsed.get()
        if let error = document?.find("Error") ?? (document?.name == "Error" ? document : nil) {
            throw .service(
                service: service, action: action, code: error.child("Code")?.text ?? "Unknown",
                message: error.child("Message")?.text ?? "", status: response.status)
        }
        guard response.isSuccess else {
            throw .httpStatus(
                service: service, action: action, endpoint: endpoint.string, status: response.status, snippet: response.bodySnippet)
        }
        if case .failure(let problem) = parsed {
            throw .invalidResponse(service: service, action: action, reason: "the answer is not XML (\(problem.reason))")
        }
        return document!
    }
}
