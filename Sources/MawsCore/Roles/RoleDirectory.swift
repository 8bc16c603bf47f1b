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
