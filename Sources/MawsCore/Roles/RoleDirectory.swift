#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the roles API says a person may use: role ARNs and the accounts' aliases.
public struct RoleDirectory: Sendable, Equatable {
    public var roles: [RoleARN]
    public var aliases: [String: [String]]

    public init(roles: [RoleARN], aliases: [String: [String]]) {
        self.roles = roles
        self.aliases = aliases
    }

    /// The account's display name: its first alias, else nil.
    public func alias(for accountID: String) -> String? {
        aliases[accountID]?.first
    }

    /// `alias-role` (or `account-role`), as the original shows in MAWS_PROMPT.
    public func promptName(for role: RoleARN) -> String {
        "\(alias(for: role.accountID) ?? role.accountID)-\(role.name)"
    }
}

/// The ID-token-for-roles API (Mozilla's contract): POST `{"token", "key", "cache"}`, answer
/// `{"roles": [...], "aliases": {...}}` or `{"error": "..."}`.
public struct RolesAPI: Sendable {
    public var url: EndpointURL
    public var http: HTTPClient

    public init(url: EndpointURL, http: HTTPClient) {
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
    public func roles(idToken: String, keys: JSONValue, useCache: Bool, skipped: (String) -> Void = { _ in }) throws -> RoleDirectory {
        let body = try JSONEncoder().encode(Request(token: idToken, key: keys, cache: useCache))
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
            let problem = if case .failure(JSONReadError.tooDeep) = decoded { "; \(JSONReadError.tooDeep(limit: JSONReader.maximumDepth))" } else { "" }
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

public enum RolesError: MawsError, Equatable {
    case refused(status: Int, message: String)
    case httpStatus(url: String, status: Int, snippet: String)
    case invalidResponse(url: String, reason: String)
    case noRoles
    case noTerminal
    case cancelled
    /// Ctrl-C in the picker.
    case interrupted

    public var exitCode: Int32 { self == .interrupted ? 130 : ExitStatus.failure }

    public var description: String {
        switch self {
        case .refused(let status, let message):
            return "the roles API refused the request (HTTP \(status)): \(message)"
        case .httpStatus(let url, let status, let snippet):
            return "the roles API at \(url) answered HTTP \(status)\(snippet.isEmpty ? "" : ": \(snippet)"); check idtoken_for_roles_url"
        case .invalidResponse(let url, let reason):
            return "the roles API at \(url) sent an unusable answer: \(reason); check idtoken_for_roles_url"
        case .noRoles:
            return "the roles API lists no AWS roles for you; ask your AWS administrators which groups grant access, or pass -r ARN"
        case .noTerminal:
            return "no terminal to choose a role on; pass -r/--role-arn ARN"
        case .cancelled:
            return "no role chosen"
        case .interrupted:
            return "interrupted; no role chosen"
        }
    }
}
