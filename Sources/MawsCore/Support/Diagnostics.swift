import Glibc

/// Writes human-facing messages to standard error.
///
/// stdout is reserved for the credentials output (it is what `eval $(maws)` executes), so every
/// progress line, warning and error goes through here. Callers never pass secrets: messages name
/// files, hosts, roles and claims, never tokens or keys. Messages may quote what a remote service
/// said; `TerminalText` keeps its escape sequences and line breaks off the terminal.
package struct Diagnostics: Sendable {
    package var verbose: Bool

    package init(verbose: Bool = false) {
        self.verbose = verbose
    }

    /// A line shown only with `-v`.
    package func debug(_ message: @autoclosure () -> String) {
        guard verbose else { return }
        Self.writeLine("maws: " + TerminalText.line(message()))
    }

    /// A line always shown. One line: a message may quote remote text (an ARN, a host), whose line
    /// breaks must not forge a second line of maws's output.
    package func info(_ message: String) {
        Self.writeLine(TerminalText.line(message))
    }

    package func warning(_ message: String) {
        Self.writeLine("maws: warning: " + TerminalText.line(message))
    }

    /// The one line that reports a failure. Messages may quote what a service answered, so
    /// escape sequences and line breaks are removed (`TerminalText`).
    package static func error(_ message: String, program: String = "maws") {
        writeLine("\(program): error: " + TerminalText.line(message))
    }

    package static func writeLine(_ line: String) {
        writeStandardError(line + "\n")
    }

    package static func writeStandardError(_ text: String) {
        write(fd: 2, text)
    }

    package static func writeStandardOutput(_ text: String) {
        write(fd: 1, text)
    }

    private static func write(fd: Int32, _ text: String) {
        FileDescriptor.writeAll(fd, Array(text.utf8))
    }
}
