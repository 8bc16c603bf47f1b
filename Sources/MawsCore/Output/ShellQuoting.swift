/// Quoting for the shells maws prints commands for. Every value is quoted, whatever it holds:
/// a quote, `$(...)`, a backtick or a newline in a value must never execute.
///
/// Values are quoted scalar by scalar, never by Swift `Character`: a quote followed by a combining
/// mark is one Character to Swift, but a shell sees the quote and ends the string there.
public enum ShellQuoting {
    /// POSIX sh, bash, zsh: single quotes, each `'` written as `'\''`.
    public static func posix(_ value: String) -> String {
        quoted(value) { scalar in scalar == "'" ? "'\\''" : nil }
    }

    /// fish: single quotes, in which only `\` and `'` need a backslash.
    public static func fish(_ value: String) -> String {
        quoted(value) { scalar in scalar == "\\" || scalar == "'" ? "\\" + String(scalar) : nil }
    }

    /// PowerShell: single quotes, each quote doubled. PowerShell also ends a single-quoted string at
    /// the typographic single quotes (U+2018 to U+201B), so those are doubled too.
    public static func powershell(_ value: String) -> String {
        quoted(value) { scalar in (0x2018...0x201B).contains(scalar.value) || scalar == "'" ? String(scalar) + String(scalar) : nil }
    }

    /// `value` in single quotes, each scalar written as `replacement` says (nil: as itself).
    private static func quoted(_ value: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var quoted = "'"
        for scalar in value.unicodeScalars {
            if let replaced = replacement(scalar) {
                quoted += replaced
            } else {
                quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "'"
    }
}

/// The shell the printed lines are for (`--shell`).
public enum ShellDialect: String, CaseIterable, Sendable {
    case sh, fish, powershell

    /// `NAME=value` for the current shell.
    func set(_ name: String, _ value: String) -> String {
        switch self {
        case .sh: return "export \(name)=\(ShellQuoting.posix(value));"
        case .fish: return "set -gx \(name) \(ShellQuoting.fish(value));"
        case .powershell: return "$Env:\(name) = \(ShellQuoting.powershell(value))"
        }
    }

    /// Removes `names` from the current shell's environment.
    func unset(_ names: [String]) -> [String] {
        guard !names.isEmpty else { return [] }
        switch self {
        case .sh: return ["unset \(names.joined(separator: " "));"]
        case .fish: return names.map { "set -e \($0);" }
        case .powershell: return ["Remove-Item \(names.map { "Env:\($0)" }.joined(separator: ", ")) -ErrorAction SilentlyContinue"]
        }
    }

    /// The characters of a value that unquoted `eval $(maws)` reads back as itself.
    static let wordCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+=,-:/%")

    /// Why this shell might not read `value` back as itself from maws's output, or nil.
    ///
    /// No dialect gets a line break or another control character: PowerShell's `Invoke-Expression`
    /// runs each piped line as a command whatever quotes surround it. For sh, bash and zsh the
    /// documented usage is the unquoted `eval $(maws)`: the shell splits the output into words and
    /// expands globs in each word before eval reads the text again, so a value must be a single
    /// word of characters that expand to themselves, whatever its quoting.
    public func problem(with value: String) -> String? {
        if let control = value.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 }) {
            return "a control character (U+\(String(control.value, radix: 16, uppercase: true)))"
        }
        guard self == .sh, let character = value.first(where: { !Self.wordCharacters.contains($0) }) else { return nil }
        return Self.describe(character)
    }

    /// A character named for an error message: quotes and spaces are unreadable between quotes.
    static func describe(_ character: Character) -> String {
        switch character {
        case " ": return "a space"
        case "'": return "a single quote"
        case "\"": return "a double quote"
        default: return character.isWhitespace ? "white space" : "'\(character)'"
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

    /// Adds `NAME=value`, refusing a value the shell might read as something else (the error
    /// names the variable, never the value, which may be a secret).
    public mutating func set(_ name: String, _ value: String) throws(ShellOutputError) {
        if let problem = dialect.problem(with: value) {
            throw .unsafeValue(name: name, dialect: dialect, problem: problem)
        }
        lines.append(dialect.set(name, value))
    }

    public mutating func unset(_ names: [String]) {
        lines += dialect.unset(names)
    }

    public var text: String {
        lines.map { $0 + "\n" }.joined()
    }
}

public enum ShellOutputError: MawsError, Equatable {
    case unsafeValue(name: String, dialect: ShellDialect, problem: String)

    public var exitCode: Int32 { ExitStatus.usage }

    public var description: String {
        switch self {
        case .unsafeValue(let name, .sh, let problem):
            return "maws cannot print \(name) for sh: its value contains \(problem), which the unquoted `eval $(maws)` "
                + "would split or expand into something else; only letters, digits and ._@+=,-:/% are safe there "
                + "(or use --shell fish or powershell)"
        case .unsafeValue(let name, let dialect, let problem):
            return "maws cannot print \(name) for \(dialect.rawValue): its value contains \(problem)"
        }
    }
}
