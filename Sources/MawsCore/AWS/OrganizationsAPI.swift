#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS Organizations' `ListAccounts` (the JSON 1.1 protocol: a signed POST naming the operation in
/// `X-Amz-Target`), which the group-role map builder uses to find every account of the organisation.
package struct OrganizationsAPI: Sendable {
    package static let globalEndpoint = "https://organizations.us-east-1.amazonaws.com"

    package struct Account: Sendable, Equatable {
        package var id: String
        package var name: String
        /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`... (the newer `State`, else `Status`).
        package var state: String
    }

    package var environment: Environment
    package var http: HTTPClient

    package init(environment: Environment, http: HTTPClient) {
        self.environment = environment
        self.http = http
    }

    /// Every account of the organisation, page by page, in the order AWS lists them.
    package func accounts(_ credentials: SigV4Signer.Credentials) throws -> [Account] {
        struct Page: Decodable {
            struct Member: Decodable {
                var Id: String
                var Name: String?
                var Status: String?
                var State: String?
            }
            var Accounts: [Member]
            var NextToken: String?
        }
        var accounts: [Account] = []
        var next: String?
        var pages = 0
        repeat {
            let body = try JSONWriter.encode(JSONValue.object(next.map { ["NextToken": .string($0)] } ?? [:]), as: .compact)
            let answer = try call("ListAccounts", body: body, credentials: credentials)
            guard let page = try? JSONReader.decode(Page.self, from: answer) else {
                throw OrganizationsError.invalidResponse(operation: "ListAccounts", reason: "no Accounts list")
            }
            accounts += page.Accounts.map { Account(id: $0.Id, name: $0.Name ?? "", state: $0.State ?? $0.Status ?? "") }
            next = page.NextToken.flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
            // A NextToken that never ends would page forever: an organisation has at most a few
            // thousand accounts (20 a page).
            if pages > 10_000 { throw OrganizationsError.invalidResponse(operation: "ListAccounts", reason: "endless pages") }
        } while next != nil
        return accounts
    }

    private func call(_ operation: String, body: [UInt8], credentials: SigV4Signer.Credentials) throws -> [UInt8] {
        let endpoint = try STSEndpoint.service("ORGANIZATIONS", configured: nil, global: Self.globalEndpoint, environment: environment)
        let region =
            endpoint.string.hasPrefix(Self.globalEndpoint)
            ? "us-east-1" : STSEndpoint.region(environment)
        let headers = [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AWSOrganizationsV20161128.\(operation)"),
        ]
        let signature = try SigV4Signer(credentials: credentials, region: region, service: "organizations")
            .sign(.init(method: "POST", path: endpoint.path, headers: [("Host", endpoint.authority)] + headers, body: body), at: Date())
        let response = try http.send(HTTPRequest(method: .post, url: endpoint, headers: headers + signature.headers, body: body))
        guard response.isSuccess else {
            struct Failure: Decodable {
                var __type: String?
                var message: String?
                var Message: String?
            }
            let failure = try? JSONReader.decode(Failure.self, from: response.body)
            // `__type` may carry a namespace: "com.amazonaws...#AccessDeniedException".
            let code = failure?.__type.map { String($0.split(separator: "#").last ?? "") }
            throw OrganizationsError.service(
                operation: operation, status: response.status, code: code ?? "HTTP \(response.status)",
                message: TerminalText.line(failure?.message ?? failure?.Message ?? response.bodySnippet))
        }
        return Array(response.body)
    }
}

package enum OrganizationsError: MawsError, Equatable {
    case service(operation: String, status: Int, code: String, message: String)
    case invalidResponse(operation: String, reason: String)

    package var description: String {
        switch self {
        case .service(let operation, let status, let code, let message):
            let advice =
                code == "AccessDeniedException"
                ? "; allow organizations:\(operation), and call it from the management account or a delegated administrator"
                : code == "AWSOrganizationsNotInUseException" ? "; this account belongs to no organisation" : ""
            return "ORGANIZATIONS \(operation) failed (HTTP \(status) \(code)): \(message)\(advice)"
        case .invalidResponse(let operation, let reason):
            return "ORGANIZATIONS \(operation) sent an unusable answer: \(reason)"
        }
    }
}
