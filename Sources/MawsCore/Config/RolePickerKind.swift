/// Where the person chooses among several roles (`--picker`, config key `role_picker`).
package enum RolePickerKind: String, CaseIterable, Sendable {
    /// In the browser tab the sign-in ends in (or one maws opens for it).
    case web
    /// On the terminal, /dev/tty.
    case terminal
}
