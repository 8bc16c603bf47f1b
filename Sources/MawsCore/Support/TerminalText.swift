/// Text from elsewhere (an identity provider, STS, the roles API) made safe to show on a terminal.
///
/// A terminal acts on what it is sent: escape sequences move the cursor, recolour or erase the
/// screen, set the window title, and in some terminals write files or answer back. A hostile
/// service could also forge a second `maws:` line with a line break. So every message maws writes
/// to stderr, and every remote label the role picker draws, goes through here: escape sequences
/// are removed whole, other control characters (C0, DEL, C1) and bidirectional overrides are
/// dropped, and line breaks become spaces.
package enum TerminalText {
    /// `text` as one clean line.
    package static func line(_ text: some StringProtocol) -> String {
        var result = String.UnicodeScalarView()
        var scalars = Substring(text).unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar.value {
            case 0x1B:
                skipEscapeSequence(&scalars)
            case 0x9B:
                skipControlSequence(&scalars)
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                skipControlString(&scalars)
            case 0x0A, 0x0D, 0x09, 0x0B, 0x0C, 0x85, 0x2028, 0x2029:
                result.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                continue
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// After ESC: a control sequence (`ESC [`), a control string (`ESC ]`, `ESC P`, ...), or a
    /// two-character sequence with optional intermediate bytes.
    private static func skipEscapeSequence(_ scalars: inout Substring.UnicodeScalarView.SubSequence) {
        guard let next = scalars.popFirst() else { return }
        switch next {
        case "[": skipControlSequence(&scalars)
        case "]", "P", "X", "^", "_": skipControlString(&scalars)
        default:
            var current = next
            // Intermediate bytes (0x20-0x2F) come before the final byte.
            while (0x20...0x2F).contains(current.value), let following = scalars.popFirst() { current = following }
        }
    }

    /// Parameter and intermediate bytes up to the final byte (0x40-0x7E) of a CSI sequence.
    private static func skipControlSequence(_ scalars: inout Substring.UnicodeScalarView.SubSequence) {
        while let scalar = scalars.popFirst() {
            if (0x40...0x7E).contains(scalar.value) || !(0x20...0x3F).contains(scalar.value) { return }
        }
    }

    /// A control string (OSC, DCS, ...) up to BEL or the string terminator (`ESC \` or 0x9C).
    private static func skipControlString(_ scalars: inout Substring.UnicodeScalarView.SubSequence) {
        while let scalar = scalars.popFirst() {
            switch scalar.value {
            case 0x07, 0x9C: return
            case 0x1B:
                if scalars.first == "\\" { scalars.removeFirst() }
                return
            default: continue
            }
        }
    }
}
