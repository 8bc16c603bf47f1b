import Glibc

/// The terminal maws talks with the person on, `/dev/tty`: prompts, the role picker, a pasted
/// redirect. Never stdin or stdout, which may be pipes, and stdout carries the credentials.
package final class Terminal {
    /// How `withMode` sets the terminal while its body runs.
    package enum Mode {
        /// What is typed is not shown (a password).
        case noEcho
        /// Byte by byte: no line editing, no echo, no flow control, CR not turned into NL, and no
        /// signals from the keyboard (Ctrl-C arrives as a byte, so the picker cancels cleanly).
        case raw
    }

    package let descriptor: Int32
    /// The settings it had when opened; nil when they cannot be read (not a terminal).
    private let saved: termios?

    /// nil when there is no terminal. With `nonBlocking`, a read returns at once when nothing waits.
    package init?(nonBlocking: Bool = false) {
        descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY | (nonBlocking ? O_NONBLOCK : 0))
        guard descriptor >= 0 else { return nil }
        var settings = termios()
        saved = tcgetattr(descriptor, &settings) == 0 ? settings : nil
    }

    deinit {
        close(descriptor)
    }

    /// Whether its settings can be read, and so changed.
    package var hasSettings: Bool { saved != nil }

    /// Runs `body` with the terminal in `mode` (nil: as it is), then puts the saved settings back.
    /// A signal meanwhile (Ctrl-C, SIGTERM...) puts them back too and ends maws (`TerminalGuard`).
    package func withMode<T, Failure: Error>(_ mode: Mode?, _ body: () throws(Failure) -> T) throws(Failure) -> T {
        try TerminalGuard.protect(descriptor, saved: saved ?? termios()) { () throws(Failure) -> T in
            guard let mode, let original = saved else { return try body() }
            var settings = original
            switch mode {
            case .noEcho:
                settings.c_lflag &= ~tcflag_t(ECHO)
            case .raw:
                settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
                settings.c_iflag &= ~tcflag_t(IXON | ICRNL)
                withUnsafeMutableBytes(of: &settings.c_cc) { cc in
                    cc[Int(VMIN)] = 1
                    cc[Int(VTIME)] = 0
                }
            }
            tcsetattr(descriptor, TCSAFLUSH, &settings)
            defer {
                var original = original
                tcsetattr(descriptor, TCSAFLUSH, &original)
            }
            return try body()
        }
    }

    /// The terminal's height in lines (24 when it does not say).
    package var rows: Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return 24 }
        return Int(size.ws_row)
    }

    package func write(_ text: String) {
        FileDescriptor.writeAll(descriptor, Array(text.utf8))
    }

    /// The next byte typed; nil at the end of input.
    package func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return Errno.retrying { read(descriptor, &byte, 1) } == 1 ? byte : nil
    }
}
