import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which groups a role's trust policy admits through the organisation's OIDC provider
/// (README, "Roles whose trust policy admits groups"): statements that Allow `sts:AssumeRoleWithWebIdentity`
/// for `Principal.Federated` = this account's provider, with exactly one group condition on
/// `PROVIDER:amr` under `StringEquals`, `StringLike` or their `ForAnyValue:` forms.
///
/// Anything else is skipped (not for this provider) or reported as unsupported; nothing in a
/// policy can make the analysis fail.
package struct TrustPolicy: Sendable {
    package struct GroupGrant: Sendable, Equatable {
        /// Group names, or `StringLike` patterns (`*`, `?`).
        package var groups: [String]
        package var isPattern: Bool
    }

    package enum Outcome: Sendable, Equatable {
        /// The role admits these groups.
        case groups([GroupGrant])
        /// No statement concerns this provider.
        case notFederated
        /// A statement concerns the provider but uses conditions maws cannot map to groups.
        case unsupported(String)
    }

    /// `host/path` of the provider as IAM names it (no scheme, no trailing slash).
    package var provider: String
    package var clientID: String

    package init(provider: String, clientID: String) {
        var name = provider
        for scheme in ["https://", "http://"] where name.hasPrefix(scheme) { name = String(name.dropFirst(scheme.count)) }
        while name.hasSuffix("/") { name.removeLast() }
        self.provider = name
        self.clientID = clientID
    }

    static let groupOperators = [
        "stringequals": false, "foranyvalue:stringequals": false,
        "stringlike": true, "foranyvalue:stringlike": true,
    ]

    /// Analyses a policy document as IAM returns it (URL-encoded JSON, or plain JSON).
    package func analyze(_ document: String, account: String) -> Outcome {
        // IAM returns policies URL-encoded (RFC 3986); documents given by hand are plain JSON.
        let text = document.hasPrefix("%") ? FormEncoding.percentDecode(Substring(document), plusIsSpace: false) ?? document : document
        guard let policy = try? JSONReader.decode(JSONValue.self, from: Data(text.utf8)), case .object(let root) = policy else {
            return .unsupported("the trust policy is not JSON")
        }
        var grants: [GroupGrant] = []
        var problems: [String] = []
        for statement in Self.list(root["Statement"]) {
            guard case .object(let fields) = statement else { continue }
            guard fields["Effect"]?.stringValue == "Allow" else { continue }
            let actions = Self.strings(fields["Action"]).map { $0.lowercased() }
            guard actions.contains(where: { $0 == "sts:assumerolewithwebidentity" || $0 == "sts:*" || $0 == "*" }) else { continue }
            guard case .object(let principal) = fields["Principal"] ?? .null else { continue }  // "*" and the like: not ours
            let federated = Self.strings(principal["Federated"])
            guard federated.contains(where: { Self.trimmed($0) == "arn:aws:iam::\(account):oidc-provider/\(provider)" }) else { continue }
            switch groups(in: fields["Condition"]) {
            case .success(let grant?): grants.append(grant)
            case .success(nil): continue  // for another client
            case .failure(let problem): problems.append(problem.reason)
            }
        }
        if !grants.isEmpty { return .groups(grants) }
        if let problem = problems.first { return .unsupported(problem) }
        return .notFederated
    }

    struct Problem: Error { var reason: String }

    /// The statement's group grant; nil when its `aud` condition names another client.
    private func groups(in condition: JSONValue?) -> Result<GroupGrant?, Problem> {
        guard case .object(let operators) = condition ?? .object([:]) else {
            return .failure(Problem(reason: "Condition is not an object"))
        }
        let amrKey = "\(provider.lowercased()):amr"
        let audKey = "\(provider.lowercased()):aud"
        var found: [(String, [String])] = []
        for (operatorName, keys) in operators {
            guard case .object(let entries) = keys else { continue }
            for (key, value) in entries {
                let normalizedKey = Self.trimmed(key.lowercased().replacingSlashColon())
                if normalizedKey == audKey, operatorName.lowercased().hasPrefix("string"), !Self.strings(value).contains(clientID) {
                    return .success(nil)
                }
                if normalizedKey == amrKey { found.append((operatorName, Self.strings(value))) }
            }
        }
        guard found.count == 1 else {
            return .failure(
                Problem(
                    reason: found.isEmpty
                        ? "no group condition on \(provider):amr"
                        : "\(found.count) group conditions (\(found.map(\.0).sorted().joined(separator: ", "))); only one is supported"))
        }
        let (operatorName, groups) = found[0]
        guard let isPattern = Self.groupOperators[operatorName.lowercased()] else {
            return .failure(Problem(reason: "the group condition uses \(operatorName), which cannot be mapped to groups"))
        }
        guard !groups.isEmpty else { return .failure(Problem(reason: "the group condition lists no group")) }
        return .success(GroupGrant(groups: groups, isPattern: isPattern && groups.contains { $0.contains("*") || $0.contains("?") }))
    }

    static func list(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case .array(let items): return items
        case nil, .null: return []
        case let single?: return [single]
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        list(value).compactMap(\.stringValue)
    }

    static func trimmed(_ text: String) -> String {
        var result = text
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }
}

extension String {
    /// IAM writes condition keys as `host/path/:amr` when the provider URL ends in a slash.
    fileprivate func replacingSlashColon() -> String {
        var result = ""
        var previous: Character?
        for character in self {
            if character == ":", previous == "/" { result.removeLast() }
            result.append(character)
            previous = character
        }
        return result
    }

}

/// Shell-style wildcard matching for `StringLike` patterns (`*` any run, `?` one character),
/// case-insensitive as the seed prescribes for group names.
package func wildcardMatches(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.lowercased())
    let t = Array(text.lowercased())
    var pi = 0
    var ti = 0
    var star = -1
    var mark = 0
    while ti < t.count {
        if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
            pi += 1
            ti += 1
        } else if pi < p.count, p[pi] == "*" {
            star = pi
            mark = ti
            pi += 1
        } else if star >= 0 {
            pi = star + 1
            mark += 1
            ti = mark
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == "*" { pi += 1 }
    return pi == p.count
}
