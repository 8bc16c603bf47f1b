/// The shell the printed lines are for (`--shell`).
package enum ShellDialect: String, CaseIterable, Sendable {
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
    package func problem(with value: String) -> String? {
        if let control = value.unicodeScalars.first(where: {
            $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029
        }) {
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
