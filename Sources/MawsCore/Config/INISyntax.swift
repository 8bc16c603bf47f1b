/// The line-level rules of Python's `configparser.RawConfigParser` with its defaults, which is what
/// botocore (the AWS CLI, boto3) reads the AWS shared files with, and what maws's own INI files
/// have always followed. Everything works on Unicode scalars, as Python does on code points:
/// Swift's Characters would merge "\r\n" or a space and a combining mark into one.
///
/// The rules, as `configparser._read` applies them to each line:
/// - lines end at LF, CRLF or a lone CR (Python opens text files with universal newlines);
/// - a line whose first non-whitespace character is `#` or `;` is a comment, wherever it is;
///   there are no comments after a value (`key = a # b` is the value `a # b`);
/// - a line of whitespace only is blank: inside a multi-line value it adds an empty line, which
///   is dropped again when nothing follows it; it does not end the value;
/// - after an entry, a line indented deeper than the entry's own line continues its value, even
///   when it looks like a header or an entry;
/// - otherwise a line is a header when it starts with `[` and has a `]` after at least one
///   character: the name is everything up to the last `]` on the line, not trimmed and
///   case-sensitive, and whatever follows that `]` is ignored (`[work] ; team account`);
/// - otherwise it is `key = value` or `key: value`, split at the first `=` or `:`; keys are
///   lowercased, keys and values stripped;
/// - whitespace is Python's: tab, LF, VT, FF, CR, the separators U+001C to U+001F, space, NEL,
///   no-break space and the other Unicode spaces (`str.isspace`).
enum INISyntax {
    /// One physical line: its text and the line terminator after it ("" for a last line without one).
    struct Line: Sendable, Equatable {
        var text: String
        var ending: String
    }

    /// What a line is to configparser.
    enum Kind: Sendable, Equatable {
        case blank
        case comment
        case header(name: String)
        case entry(key: String, value: String)
        /// A deeper-indented line after an entry: its stripped text joins the value of the entry
        /// on line index `owner`.
        case continuation(owner: Int, text: String)
    }

    /// Splits `text` at LF, CRLF and lone CR, keeping each terminator with its line. Works on the
    /// UTF-8 bytes: CR and LF never occur inside a multi-byte character, so each cut falls
    /// between characters, and no scalar needs decoding.
    static func lines(_ text: String) -> [Line] {
        var lines: [Line] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            let byte = utf8[index]
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                index = utf8.index(after: index)
                continue
            }
            var next = utf8.index(after: index)
            let ending: String
            if byte == UInt8(ascii: "\n") {
                ending = "\n"
            } else if next != utf8.endIndex, utf8[next] == UInt8(ascii: "\n") {
                ending = "\r\n"
                next = utf8.index(after: next)
            } else {
                ending = "\r"
            }
            lines.append(Line(text: String(text[start..<index]), ending: ending))
            start = next
            index = next
        }
        if start != utf8.endIndex { lines.append(Line(text: String(text[start...]), ending: "")) }
        return lines
    }

    /// Python's `str.isspace()`, which is also what `str.strip()` and the regular expression `\s`
    /// use on text.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Where Python's `str.splitlines()` breaks a line (botocore splits nested values with it).
    static func isLineBoundary(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x1C...0x1E, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    static func stripped(_ scalars: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        var slice = scalars
        while let first = slice.first, isSpace(first) { slice.removeFirst() }
        while let last = slice.last, isSpace(last) { slice.removeLast() }
        return slice
    }

    /// The scalars as a String, encoded by hand: `String.UnicodeScalarView.append` goes through
    /// the standard library's generic code, which costs a config read more than the parse itself.
    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scalars.underestimatedCount)
        for scalar in scalars {
            UTF8.encode(scalar) { utf8.append($0) }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Classifies `lines` as configparser does, and refuses what it would refuse (at the line it
    /// would name) or what maws cannot model exactly.
    static func classify(_ lines: [Line]) throws(INIParseError) -> [Kind] {
        var kinds: [Kind] = []
        kinds.reserveCapacity(lines.count)
        /// The entry lines of the current section, by key, to find duplicates.
        var sectionKeys: [(key: String, line: Int)] = []
        var sections: [(name: String, line: Int)] = []
        /// Keys seen in [DEFAULT], which configparser allows twice but not its keys.
        var defaultKeys: [(key: String, line: Int)] = []
        var inDefault = false
        var inSection = false
        /// The line index of the entry whose value continues, if any (configparser's `optname`).
        var currentEntry: Int?
        var indentLevel = 0

        for (index, line) in lines.enumerated() {
            let number = index + 1
            let scalars = Array(line.text.unicodeScalars)
            let value = stripped(scalars[...])
            guard let first = value.first else {
                kinds.append(.blank)
                continue
            }
            if first == "#" || first == ";" {
                kinds.append(.comment)
                continue
            }
            let indent = scalars.prefix(while: isSpace).count
            if let owner = currentEntry, indent > indentLevel {
                kinds.append(.continuation(owner: owner, text: string(value)))
                continue
            }
            indentLevel = indent
            if first == "[", let close = value.lastIndex(of: "]"), close > value.startIndex + 1 {
                let name = string(value[(value.startIndex + 1)..<close])
                if name.isExactly("DEFAULT") {
                    inDefault = true
                } else {
                    if let earlier = sections.first(where: { $0.name.isExactly(name) }) {
                        throw INIParseError(line: number, reason: "section [\(name)] already appears on line \(earlier.line)")
                    }
                    sections.append((name, number))
                    inDefault = false
                    sectionKeys = []
                }
                inSection = true
                currentEntry = nil
                kinds.append(.header(name: name))
                continue
            }
            if index == 0, first == "\u{FEFF}" { throw byteOrderMark }
            let separator = value.firstIndex { $0 == "=" || $0 == ":" }
            if first == "[", separator == nil {
                if value.count == 2, value.last == "]" { throw INIParseError(line: number, reason: "section header has no name") }
                throw INIParseError(line: number, reason: "section header is missing its closing ']'")
            }
            guard inSection else {
                // configparser's MissingSectionHeaderError, whatever the line is.
                guard let separator else { throw INIParseError(line: number, reason: "text appears before any [section] header") }
                let key = string(stripped(value[..<separator])).lowercased()
                throw INIParseError(line: number, reason: "key '\(key)' appears before any [section] header")
            }
            guard let separator else {
                throw INIParseError(line: number, reason: "expected 'key = value', a [section] header or a comment")
            }
            guard separator > value.startIndex else {
                throw INIParseError(line: number, reason: "entry has no key before '\(value[separator])'")
            }
            let key = try lowercasedKey(stripped(value[..<separator]), line: number)
            let seen = inDefault ? defaultKeys : sectionKeys
            if let earlier = seen.first(where: { $0.key.isExactly(key) }) {
                throw INIParseError(line: number, reason: "key '\(key)' already set on line \(earlier.line) of the same section")
            }
            if inDefault { defaultKeys.append((key, number)) } else { sectionKeys.append((key, number)) }
            kinds.append(.entry(key: key, value: string(stripped(value[(separator + 1)...]))))
            currentEntry = index
        }
        return kinds
    }

    private static let byteOrderMark = INIParseError(
        line: 1, reason: "the file starts with a byte order mark, which AWS tools and configparser do not skip",
        remedy: "save the file as UTF-8 without BOM")

    /// Python lowercases keys with `str.lower()`. For ASCII that is exact; for other letters with
    /// case, Unicode versions and special cases (final sigma) could make maws and Python disagree
    /// about which keys are the same, so those keys are refused.
    private static func lowercasedKey(_ key: ArraySlice<Unicode.Scalar>, line: Int) throws(INIParseError) -> String {
        var lowered: [Unicode.Scalar] = []
        lowered.reserveCapacity(key.count)
        for scalar in key {
            if scalar.isASCII {
                lowered.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(UInt8(scalar.value) + 32) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                throw INIParseError(
                    line: line, reason: "key '\(string(key))' has non-ASCII capital letters, whose lowercasing maws does not model",
                    remedy: "write the key in lowercase")
            } else {
                lowered.append(scalar)
            }
        }
        return string(lowered)
    }

    /// The values as configparser joins them, by line index (nil for a line that is not an entry):
    /// the entry's own text, then one line per continuation and per blank line in between, with
    /// trailing empty lines dropped.
    static func values(_ kinds: [Kind]) -> [String?] {
        var parts = [[String]](repeating: [], count: kinds.count)
        var current: Int?
        for (index, kind) in kinds.enumerated() {
            switch kind {
            case .entry(_, let value):
                parts[index] = [value]
                current = index
            case .continuation(let owner, let text):
                parts[owner].append(text)
            case .blank:
                if let current { parts[current].append("") }
            case .header:
                current = nil
            case .comment:
                break
            }
        }
        return parts.map { lines in
            guard !lines.isEmpty else { return nil }
            guard lines.count > 1 else { return lines[0] }
            var lines = lines
            while lines.count > 1, lines.last == "" { lines.removeLast() }
            return lines.joined(separator: "\n")
        }
    }
}

extension String {
    /// Equal scalar for scalar, as Python compares strings. Swift's `==` also equates canonically
    /// equivalent spellings ("é" and "e\u{301}"), which configparser treats as different names.
    func isExactly(_ other: String) -> Bool {
        // The same scalars are the same UTF-8 bytes, which are cheaper to compare.
        utf8.elementsEqual(other.utf8)
    }
}
