#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The ID-token-for-roles API (the contract `maws-roles serve` implements): POST `{"token", "key", "cache"}`, answer
/// `{"roles": [...], "aliases": {...}}` or `{"error": "..."}`.
package struct RolesAPI: Sendable {
    package var url: EndpointURL
    package var http: HTTPClient

    package init(url: EndpointURL, http: HTTPClient) {
        self.url = url
        self.http = http
    }

    struct Request: Encodable {
        var token: String
        var key: JSONValue
        var cache: Bool
    }

    struct Answer: Decodable {
        var roles: [String]?
        var aliases: [String: [String]]?
        var error: String?
    }

    /// Asks for the roles of the person `idToken` belongs to. Entries that are not role ARNs are
    /// reported through `skipped` and left out.
    package func roles(idToken: String, keys: JSONValue, useCache: Bool, skipped: (String) -> Void = { _ in }) throws -> RoleDirectory {
        let body = try JSONWriter.encode(Request(token: idToken, key: keys, cache: useCache))
        let response = try http.send(.postJSON(url, body))
        let decoded = Result { try JSONReader.decode(Answer.self, from: response.body) }
        let answer = try? decoded.get()
        if let message = answer?.error {
            throw RolesError.refused(status: response.status, message: message)
        }
        guard response.isSuccess else {
            throw RolesError.httpStatus(url: url.string, status: response.status, snippet: response.bodySnippet)
        }
        guard let answer, let roleTexts = answer.roles else {
            let problem =
                if case .failure(JSONReadError.tooDeep) = decoded { "; \(JSONReadError.tooDeep(limit: JSONReader.maximumDepth))" } else {
                    ""
                }
            throw RolesError.invalidResponse(url: url.string, reason: "expected a JSON object with a 'roles' list\(problem)")
        }
        var roles: [RoleARN] = []
        for text in roleTexts {
            do {
                roles.append(try RoleARN(parsing: text))
            } catch {
                skipped(error.description)
            }
        }
        return RoleDirectory(roles: Array(Set(roles)).sorted(), aliases: answer.aliases ?? [:])
    }
}
