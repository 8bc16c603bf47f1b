/// Quoting for the shells maws prints commands for. Every value is quoted, whatever it holds:
/// a quote, `$(...)`, a backtick or a newline in a value must never execute.
public enum ShellQuoting {
    /// POSIX sh, bash, zsh: single quotes, each `'` written as `'\''`.
    public static func posix(_ value: String) -> String {
        "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// fish: single quotes, in which only `\` and `'` need a backslash.
    public static func fish(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "\\" || character == "'" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "'"
    }

    /// PowerShell: single quotes, each quote doubled. PowerShell also ends a single-quoted string at
    /// the typographic single quotes (U+2018 to U+201B), so those are doubled too.
    public static func powershell(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"].contains(character) { quoted.append(character) }
            quoted.append(character)
        }
        return quoted + "'"
    }
}

/// The shell the printed lines are for (`--shell`).
public enum ShellDialect: String, CaseIterable, Sendable {
    case sh, fish, powershell

    /// `NAME=value` for the current shell.
    public func set(_ name: String, _ value: String) -> String {
        switch self {
        case .sh: return "export \(name)=\(ShellQuoting.posix(value));"
        case .fish: return "set -gx \(name) \(ShellQuoting.fish(value));"
        case .powershell: return "$Env:\(name) = \(ShellQuoting.powershell(value))"
        }
    }

    /// Removes `names` from the current shell's environment.
    public func unset(_ names: [String]) -> [String] {
        guard !names.isEmpty else { return [] }
        switch self {
        case .sh: return ["unset \(names.joined(separator: " "));"]
        case .fish: return names.map { "set -e \($0);" }
        case .powershell: return ["Remove-Item \(names.map { "Env:\($0)" }.joined(separator: ", ")) -ErrorAction SilentlyContinue"]
        }
    }
}

/// Lines that change the calling shell's environment.
public struct ShellScript: Sendable, Equatable {
    public var dialect: ShellDialect
    public private(set) var lines: [String] = []

    public init(dialect: ShellDialect) {
        self.dialect = dialect
    }

    public mutating func set(_ name: String, _ value: String) {
        lines.append(dialect.set(name, value))
    }

    public mutating func unset(_ names: [String]) {
        lines += dialect.unset(names)
    }

    public var text: String {
        lines.map { $0 + "\n" }.joined()
    }
}
