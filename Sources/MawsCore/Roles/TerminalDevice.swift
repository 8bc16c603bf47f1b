import Glibc

/// /dev/tty in raw mode, restored on `restore()`.
final class TerminalDevice {
    enum Key: Equatable {
        case character(Character)
        case enter, backspace, up, down, cancel, interrupt
    }

    let descriptor: Int32
    private(set) var saved = termios()

    init?() {
        descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { return nil }
        guard tcgetattr(descriptor, &saved) == 0 else {
            close(descriptor)
            return nil
        }
        var raw = saved
        // No line buffering, no echo, no signals: Ctrl-C arrives as a byte and cancels cleanly,
        // so the terminal is always restored.
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(descriptor, TCSAFLUSH, &raw)
    }

    func restore() {
        write("\r\n")
        tcsetattr(descriptor, TCSAFLUSH, &saved)
        close(descriptor)
    }

    var rows: Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return 24 }
        return Int(size.ws_row)
    }

    func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
        bytes.removeAll()
    }

    func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(descriptor, &byte, 1)
            if count == 1 { return byte }
            if count < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// Reads one key press; nil at end of input.
    func readKey() -> Key? {
        guard let byte = readByte() else { return nil }
        switch byte {
        case 13, 10: return .enter
        case 127, 8: return .backspace
        case 3: return .interrupt
        case 4: return .cancel
        case 27:
            // An escape sequence (arrows) arrives in one burst; a lone Esc does not.
            var waiter = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&waiter, 1, 50) > 0, let introducer = readByte() else { return .cancel }
            guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O"), let final = readByte() else {
                return readKey()
            }
            switch final {
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            default: return readKey()
            }
        case 32...126:
            return .character(Character(Unicode.Scalar(byte)))
        default:
            if byte >= 0xC0, let scalar = readUTF8(first: byte) { return .character(Character(scalar)) }
            return readKey()
        }
    }

    private func readUTF8(first: UInt8) -> Unicode.Scalar? {
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2
        var bytes = [first]
        for _ in 1..<length {
            guard let next = readByte() else { return nil }
            bytes.append(next)
        }
        return String(validating: bytes, as: UTF8.self)?.unicodeScalars.first
    }
}
