import Glibc

/// A key pressed in the role picker.
enum TerminalKey: Equatable {
    case character(Character)
    case enter, backspace, up, down, cancel, interrupt
}

extension Terminal {
    /// Reads one key press, the terminal in raw mode; nil at end of input.
    func readKey() -> TerminalKey? {
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
