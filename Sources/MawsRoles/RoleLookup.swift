import MawsCore

/// One version of the group-role map and the account aliases, prepared once when the version is
/// loaded so that answering a request is a few dictionary lookups: groups without wildcards are
/// found by their lower-cased name, only the patterns with `*` or `?` are matched one by one, and
/// every role ARN and account's aliases are JSON-encoded already.
package struct RoleLookup: Sendable {
    /// Lower-cased group name → indices into `roles`.
    private let exact: [String: [Int]]
    /// Patterns with wildcards, with the indices of the roles they grant.
    private let patterns: [(pattern: String, roles: [Int])]
    /// Every role ARN of the map, sorted, and each one's JSON string.
    package let roles: [String]
    private let encodedRoles: [[UInt8]]
    /// Each role's account, and each account's `"ACCOUNT":[aliases]` JSON member (nil: no aliases).
    private let accountOfRole: [String]
    private let encodedAliases: [String: [UInt8]]
    /// The alias map as loaded, for `GET /account-aliases`.
    package let aliases: [String: [String]]
    /// How many groups (keys) the map has.
    package let groupCount: Int

    package init(groupRoles: [String: [String]], aliases: [String: [String]]) {
        let roles = Array(Set(groupRoles.values.joined())).sorted()
        let index = Dictionary(uniqueKeysWithValues: roles.enumerated().map { ($1, $0) })
        var exact: [String: [Int]] = [:]
        var patterns: [(String, [Int])] = []
        for (group, granted) in groupRoles {
            let indices = granted.compactMap { index[$0] }
            if group.contains("*") || group.contains("?") {
                patterns.append((group, indices))
            } else {
                exact[group.lowercased(), default: []] += indices
            }
        }
        self.exact = exact
        self.patterns = patterns.sorted { $0.0 < $1.0 }
        self.roles = roles
        self.encodedRoles = roles.map { Self.encode(.string($0)) }
        self.accountOfRole = roles.map { (try? RoleARN(parsing: $0).accountID) ?? "" }
        var encodedAliases: [String: [UInt8]] = [:]
        for (account, names) in aliases {
            // `"ACCOUNT":[...]`: the object's one member, without its braces.
            encodedAliases[account] = Array(Self.encode(.object([account: .array(names.map(JSONValue.string))])).dropFirst().dropLast())
        }
        self.encodedAliases = encodedAliases
        self.aliases = aliases
        self.groupCount = groupRoles.count
    }

    /// The indices of the roles `groups` grant, sorted.
    package func roleIndices(for groups: [String]) -> [Int] {
        var found = Set<Int>()
        for group in groups {
            if let granted = exact[group.lowercased()] { found.formUnion(granted) }
            for (pattern, granted) in patterns where wildcardMatches(pattern, group) { found.formUnion(granted) }
        }
        return found.sorted()
    }

    /// Whether some role's trust policy can match `group` (`POST /filter-groups`).
    package func grantsAnything(to group: String) -> Bool {
        exact[group.lowercased()] != nil || patterns.contains { wildcardMatches($0.pattern, group) }
    }

    /// `{"roles":[...],"aliases":{"ACCOUNT":[...]}}` for `groups`: the roles sorted, with the
    /// aliases of their accounts.
    package func answer(for groups: [String]) -> [UInt8] {
        let indices = roleIndices(for: groups)
        var bytes = Array(#"{"roles":["#.utf8)
        for (position, role) in indices.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += encodedRoles[role]
        }
        bytes += Array(#"],"aliases":{"#.utf8)
        var first = true
        for account in Set(indices.map { accountOfRole[$0] }).sorted() {
            guard let member = encodedAliases[account] else { continue }
            if !first { bytes.append(UInt8(ascii: ",")) }
            bytes += member
            first = false
        }
        bytes += Array("}}".utf8)
        return bytes
    }

    private static func encode(_ value: JSONValue) -> [UInt8] {
        (try? JSONWriter.encode(value, as: .compact)) ?? Array("null".utf8)
    }
}
