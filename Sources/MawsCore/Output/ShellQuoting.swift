/// Quoting for the shells maws prints commands for. Every value is quoted, whatever it holds:
/// a quote, `$(...)`, a backtick or a newline in a value must never execute.
///
/// Values are quoted scalar by scalar, never by Swift `Character`: a quote followed by a combining
/// mark is one Character to Swift, but a shell sees the quote and ends the string there.
package enum ShellQuoting {
    /// POSIX sh, bash, zsh: single quotes, each `'` written as `'\''`.
    package static func posix(_ value: String) -> String {
        quoted(value) { scalar in scalar == "'" ? "'\\''" : nil }
    }

    /// fish: single quotes, in which only `\` and `'` need a backslash.
    package static func fish(_ value: String) -> String {
        quoted(value) { scalar in scalar == "\\" || scalar == "'" ? "\\" + String(scalar) : nil }
    }

    /// PowerShell: single quotes, each quote doubled. PowerShell also ends a single-quoted string at
    /// the typographic single quotes (U+2018 to U+201B), so those are doubled too.
    package static func powershell(_ value: String) -> String {
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
