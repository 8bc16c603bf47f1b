/// An INI file as Python's `configparser` reads it (the format of maws's config and of the AWS
/// shared files): `[section]` headers, `key = value` or `key: value` entries, `#` and `;` comment
/// lines, indented continuation lines. Keys are case-insensitive and stored lowercased.
///
/// Every section and entry keeps the line it came from, so errors can point at it.
public struct INIDocument: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int
    }

    public struct Section: Sendable, Equatable {
        public var name: String
        public var line: Int
        public var entries: [Entry]

        public func entry(_ key: String) -> Entry? {
            entries.first { $0.key == key }
        }
    }

    public var sections: [Section]

    public func section(_ name: String) -> Section? {
        sections.first { $0.name == name }
    }

    public init(sections: [Section] = []) {
        self.sections = sections
    }

    /// Reads and parses the file at `path` (through symlinks); nil when it does not exist.
    /// `syntaxError` turns a parse error into the caller's error, which knows what the file is for.
    public static func read(_ path: String, syntaxError: (INIParseError) -> any Error) throws -> INIDocument? {
        guard let text = try SharedFile(path: path, holdsSecrets: false).text() else { return nil }
        do {
            return try parse(text)
        } catch {
            throw syntaxError(error)
        }
    }

    /// Parses `text`; errors carry the 1-based line number and what is wrong there.
    public static func parse(_ text: String) throws(INIParseError) -> INIDocument {
        var document = INIDocument()
        var lastEntryIndent: Int?
        for (index, rawLine) in lines(of: text).enumerated() {
            let lineNumber = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingINIWhitespace()
            if trimmed.isEmpty {
                lastEntryIndent = nil
                continue
            }
            if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") {
                continue
            }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            if let entryIndent = lastEntryIndent, indent > entryIndent, !document.sections.isEmpty {
                // A continuation line: configparser joins it to the previous value with a newline.
                let sectionIndex = document.sections.count - 1
                let entryIndex = document.sections[sectionIndex].entries.count - 1
                document.sections[sectionIndex].entries[entryIndex].value += "\n" + trimmed
                continue
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count >= 2 else {
                    throw INIParseError(line: lineNumber, reason: "section header is missing its closing ']'")
                }
                let name = String(trimmed.dropFirst().dropLast().trimmingINIWhitespace())
                guard !name.isEmpty else {
                    throw INIParseError(line: lineNumber, reason: "section header has no name")
                }
                if let earlier = document.section(name) {
                    throw INIParseError(line: lineNumber, reason: "section [\(name)] already appears on line \(earlier.line)")
                }
                document.sections.append(Section(name: name, line: lineNumber, entries: []))
                lastEntryIndent = nil
                continue
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw INIParseError(line: lineNumber, reason: "expected 'key = value', a [section] header or a comment")
            }
            let key = trimmed[..<separator].trimmingINIWhitespace().lowercased()
            let value = String(trimmed[trimmed.index(after: separator)...].trimmingINIWhitespace())
            guard !key.isEmpty else {
                throw INIParseError(line: lineNumber, reason: "entry has no key before '\(trimmed[separator])'")
            }
            guard !document.sections.isEmpty else {
                throw INIParseError(line: lineNumber, reason: "key '\(key)' appears before any [section] header")
            }
            let sectionIndex = document.sections.count - 1
            if let earlier = document.sections[sectionIndex].entry(key) {
                throw INIParseError(line: lineNumber, reason: "key '\(key)' already set on line \(earlier.line) of the same section")
            }
            document.sections[sectionIndex].entries.append(Entry(key: key, value: value, line: lineNumber))
            lastEntryIndent = indent
        }
        return document
    }
}

/// The lines of `text`, split at each LF byte (a CR before it stays on the line). Splitting the
/// String by Character would not work: Swift treats "\r\n" as one Character.
func lines(of text: String) -> [String] {
    text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}

public struct INIParseError: Error, Equatable, Sendable {
    public var line: Int
    public var reason: String
}

extension StringProtocol {
    func trimmingINIWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        // isNewline also covers "\r\n", which Swift counts as one Character.
        while let last = slice.last, last == " " || last == "\t" || last.isNewline { slice.removeLast() }
        return slice
    }
}
