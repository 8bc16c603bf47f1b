/// The role picker's model: roles grouped by account, numbered, narrowed by what the person types.
/// Pure and testable; `RolePicker` draws it on the terminal.
package struct RoleMenu: Sendable {
    package struct Item: Sendable, Equatable {
        package var number: Int
        package var role: RoleARN
        package var accountLabel: String
        fileprivate var searchText: String
    }

    package let items: [Item]

    package init(directory: RoleDirectory) {
        let sorted = directory.roles.sorted { lhs, rhs in
            let left = (directory.alias(for: lhs.accountID) ?? "~" + lhs.accountID, lhs.accountID, lhs.resource)
            let right = (directory.alias(for: rhs.accountID) ?? "~" + rhs.accountID, rhs.accountID, rhs.resource)
            return left < right
        }
        items = sorted.enumerated().map { index, role in
            // The alias comes from the roles API: no escape sequence or line break reaches the terminal.
            let alias = directory.alias(for: role.accountID).map { TerminalText.line($0) }
            let label = alias.map { "\($0) (\(role.accountID))" } ?? role.accountID
            return Item(
                number: index + 1, role: role, accountLabel: label,
                searchText: "\(label) \(role.resource)".lowercased())
        }
    }

    /// Items matching every word of `query` (case-insensitive). A query that is exactly an item's
    /// number puts that item first.
    package func matches(_ query: String) -> [Item] {
        let words = query.lowercased().split(separator: " ")
        var result = items.filter { item in words.allSatisfy { item.searchText.contains($0) } }
        if let number = Int(query.trimmingLineWhitespace()), let exact = items.first(where: { $0.number == number }) {
            result.removeAll { $0.number == number }
            result.insert(exact, at: 0)
        }
        return result
    }

    /// Lines to show for `visible` items with `highlighted` (an index into `visible`), account headers included.
    package func lines(for visible: [Item], highlighted: Int) -> [String] {
        var lines: [String] = []
        var lastAccount: String?
        let width = String(items.count).count
        for (index, item) in visible.enumerated() {
            if item.accountLabel != lastAccount {
                lines.append("  \(item.accountLabel)")
                lastAccount = item.accountLabel
            }
            let number = String(repeating: " ", count: width - String(item.number).count) + String(item.number)
            lines.append("\(index == highlighted ? ">" : " ")   \(number)  \(item.role.resource)")
        }
        return lines
    }
}
