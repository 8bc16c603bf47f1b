import Glibc

/// Puts the terminal back as it was when maws is interrupted while it has changed it: echo off
/// for a password, raw mode for the role picker.
///
/// Without this, Ctrl-C at a password prompt would end maws with echo still off, and the shell
/// would stop showing what is typed. While `body` runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT restore
/// the saved settings and end maws with 128 + the signal's number, as a shell reports a command
/// ended by it (130 for Ctrl-C). The handler does only what is safe in a signal handler:
/// `tcsetattr`, `write` and `_exit`.
enum TerminalGuard {
    nonisolated(unsafe) private static var descriptor: Int32 = -1
    nonisolated(unsafe) private static var saved = termios()

    static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Runs `body` with `saved` restored on `descriptor` if a signal ends maws meanwhile.
    static func protect<T, Failure: Error>(_ descriptor: Int32, saved: termios, _ body: () throws(Failure) -> T) throws(Failure) -> T {
        Self.saved = saved
        Self.descriptor = descriptor
        let previous = signals.map { signal($0) { received in TerminalGuard.restoreAndExit(received) } }
        defer {
            for (number, handler) in zip(signals, previous) { signal(number, handler) }
            Self.descriptor = -1
        }
        return try body()
    }

    private static func restoreAndExit(_ received: Int32) {
        if descriptor >= 0 {
            tcsetattr(descriptor, TCSAFLUSH, &saved)
            _ = write(descriptor, "\r\n", 2)
        }
        _exit(128 + received)
    }
}
