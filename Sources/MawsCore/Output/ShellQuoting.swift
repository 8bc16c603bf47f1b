/// Quoting for the shells maws prints commands for. Every value is quoted, whatever it holds:
/// a quote, `$(...)`, a backtick or a newline in a value must never execute.
public enum ShellQuoting {
    /// POSIX sh, bash, zsh: single quotes, each `'` written as `'\''`.
    public static func posix(_ value: String) -> String {
        "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
