#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the roles API says a person may use: role ARNs and the accounts' aliases.
package struct RoleDirectory: Sendable, Equatable {
    package var roles: [RoleARN]
    package var aliases: [String: [String]]

    package init(roles: [RoleARN], aliases: [String: [String]]) {
        self.roles = roles
        self.aliases = aliases
    }

    /// The account's display name: its first alias, else nil.
    package func alias(for accountID: String) -> String? {
        aliases[accountID]?.first
    }

    /// `alias-role` (or `account-role`): what `MAWS_PROMPT` shows and derived profile names are made from.
    package func promptName(for role: RoleARN) -> String {
        "\(alias(for: role.accountID) ?? role.accountID)-\(role.name)"
    }
}
