import Glibc

/// The interactive role chooser, on /dev/tty (never stdout, which carries the credentials).
///
/// Typing narrows the list, the arrow keys move, Enter picks, Esc cancels, Ctrl-C interrupts
/// (exit 130, as for a command the shell saw interrupted).
package struct RolePicker {
    package var menu: RoleMenu

    package init(menu: RoleMenu) {
        self.menu = menu
    }

    package func choose() throws(RolesError) -> RoleARN {
        guard let terminal = Terminal(), terminal.hasSettings else { throw .noTerminal }
        // A signal from elsewhere (SIGTERM, SIGHUP) must not leave the terminal in raw mode.
        return try terminal.withMode(.raw) { () throws(RolesError) -> RoleARN in
            defer { terminal.write("\r\n") }
            return try pick(on: terminal)
        }
    }

    private func pick(on terminal: Terminal) throws(RolesError) -> RoleARN {
        var query = ""
        var highlighted = 0
        var drawnLines = 0
        while true {
            let visible = menu.matches(query)
            highlighted = min(highlighted, max(visible.count - 1, 0))
            drawnLines = draw(terminal, query: query, visible: visible, highlighted: highlighted, erasing: drawnLines)
            guard let key = terminal.readKey() else { throw .cancelled }
            switch key {
            case .enter:
                guard !visible.isEmpty else { continue }
                terminal.write("\r\u{1B}[\(drawnLines)A\u{1B}[J")
                let choice = visible[highlighted]
                terminal.write("Role: \(choice.role)\r\n")
                return choice.role
            case .cancel, .interrupt:
                terminal.write("\r\u{1B}[\(drawnLines)A\u{1B}[J")
                throw key == .interrupt ? .interrupted : .cancelled
            case .up:
                highlighted = max(highlighted - 1, 0)
            case .down:
                highlighted = min(highlighted + 1, max(visible.count - 1, 0))
            case .backspace:
                if !query.isEmpty { query.removeLast() }
                highlighted = 0
            case .character(let character):
                query.append(character)
                highlighted = 0
            }
        }
    }

    /// Draws the menu below the cursor, replacing the previous drawing; returns the lines drawn.
    private func draw(_ terminal: Terminal, query: String, visible: [RoleMenu.Item], highlighted: Int, erasing previous: Int) -> Int {
        let rows = max(terminal.rows - 3, 5)
        var lines = ["Choose a role: type to filter, arrows to move, Enter to pick, Esc to cancel"]
        var body = menu.lines(for: visible, highlighted: highlighted)
        if visible.isEmpty { body = ["  (no role matches)"] }
        if body.count > rows {
            // Keep the highlighted line in view.
            let marker = body.firstIndex { $0.hasPrefix(">") } ?? 0
            let start = min(max(marker - rows / 2, 0), body.count - rows)
            let hidden = body.count - rows
            body = Array(body[start..<(start + rows - 1)]) + ["  … \(hidden + 1) more lines"]
        }
        lines += body
        lines.append("Filter: \(query)")
        var output = previous > 0 ? "\r\u{1B}[\(previous - 1)A\u{1B}[J" : ""
        output += lines.joined(separator: "\r\n")
        terminal.write(output)
        return lines.count
    }
}
