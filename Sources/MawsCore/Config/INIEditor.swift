/// Edits an INI file without disturbing it: every line maws does not own (other sections, other
/// keys, comments, blank lines, odd spacing, the order) is written back byte for byte.
///
/// maws owns keys in one section at a time: `setEntries` replaces their lines in place, removes
/// owned keys it no longer writes, and appends new ones at the end of the section (or appends the
/// section at the end of the file).
public struct INIEditor: Sendable, Equatable {
    private enum Kind: Equatable {
        case header(String)
        case entry(key: String, value: String)
        /// An indented line continuing the entry above it.
        case continuation
        /// Blank lines and comments.
        case other
    }

    /// The file's lines, without their line terminators.
    private var lines: [String]
    private var kinds: [Kind]
    private var endsWithNewline: Bool
    private let newline: String

    /// Parses `text`; a file configparser could not read either is refused, never rewritten.
    public init(_ text: String) throws(INIParseError) {
        _ = try INIDocument.parse(text)
        newline = text.contains("\r\n") ? "\r\n" : "\n"
        endsWithNewline = text.isEmpty || text.hasSuffix("\n")
        var split = MawsCore.lines(of: text)
        if endsWithNewline { split.removeLast() }
        if newline == "\r\n" {
            split = split.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        }
        lines = split
        kinds = Self.classify(split)
    }

    public func render() -> String {
        guard !lines.isEmpty else { return "" }
        return lines.joined(separator: newline) + (endsWithNewline ? newline : "")
    }

    /// The `key = value` entries of `section` (continuations left out), or nil when it does not exist.
    public func entries(in section: String) -> [String: String]? {
        guard let range = sectionRange(section) else { return nil }
        var entries: [String: String] = [:]
        for index in range {
            if case .entry(let key, let value) = kinds[index] { entries[key] = value }
        }
        return entries
    }

    /// Sets `values` in `section` and removes the other keys of `owned` from it.
    public mutating func setEntries(_ values: [(key: String, value: String)], in section: String, owned: Set<String>) {
        guard let range = sectionRange(section) else {
            appendSection(section, values)
            return
        }
        var pending = values
        var replaced: [String] = []
        for index in range {
            switch kinds[index] {
            case .entry(let key, _) where owned.contains(key):
                if let position = pending.firstIndex(where: { $0.key == key }) {
                    replaced.append("\(key) = \(pending[position].value)")
                    pending.remove(at: position)
                }
            case .continuation where isOwnedContinuation(at: index, owned: owned):
                break
            default:
                replaced.append(lines[index])
            }
        }
        // New keys go after the section's last non-blank line.
        var insertion = replaced.count
        while insertion > 1, replaced[insertion - 1].trimmingINIWhitespace().isEmpty { insertion -= 1 }
        replaced.insert(contentsOf: pending.map { "\($0.key) = \($0.value)" }, at: insertion)
        lines.replaceSubrange(range, with: replaced)
        kinds = Self.classify(lines)
    }

    /// Removes the keys of `owned` from `section`, and the section itself when nothing but blank
    /// lines is left in it. Returns whether the file changed.
    @discardableResult
    public mutating func removeEntries(_ owned: Set<String>, from section: String) -> Bool {
        let before = lines
        guard sectionRange(section) != nil else { return false }
        setEntries([], in: section, owned: owned)
        if let range = sectionRange(section),
           lines[(range.lowerBound + 1)..<range.upperBound].allSatisfy({ $0.trimmingINIWhitespace().isEmpty }) {
            // Undo what appendSection adds: the section and the blank line that separated it.
            var start = range.lowerBound
            if start > 0, lines[start - 1].trimmingINIWhitespace().isEmpty,
               range.upperBound == lines.count || lines[range.upperBound - 1].trimmingINIWhitespace().isEmpty {
                start -= 1
            }
            lines.removeSubrange(start..<range.upperBound)
            kinds = Self.classify(lines)
        }
        return lines != before
    }

    private func isOwnedContinuation(at index: Int, owned: Set<String>) -> Bool {
        var previous = index - 1
        while previous >= 0, kinds[previous] == .continuation { previous -= 1 }
        guard previous >= 0, case .entry(let key, _) = kinds[previous] else { return false }
        return owned.contains(key)
    }

    private mutating func appendSection(_ section: String, _ values: [(key: String, value: String)]) {
        if let last = lines.last, !last.trimmingINIWhitespace().isEmpty { lines.append("") }
        lines.append("[\(section)]")
        lines += values.map { "\($0.key) = \($0.value)" }
        endsWithNewline = true
        kinds = Self.classify(lines)
    }

    /// The lines of `section`: its header up to (not including) the next header.
    private func sectionRange(_ section: String) -> Range<Int>? {
        guard let start = kinds.firstIndex(of: .header(section)) else { return nil }
        let end = kinds[(start + 1)...].firstIndex { if case .header = $0 { return true } else { return false } } ?? lines.count
        return start..<end
    }

    /// Classifies lines by the same rules as `INIDocument.parse`.
    private static func classify(_ lines: [String]) -> [Kind] {
        var kinds: [Kind] = []
        var entryIndent: Int?
        for line in lines {
            let trimmed = line.trimmingINIWhitespace()
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            if trimmed.isEmpty {
                entryIndent = nil
                kinds.append(.other)
            } else if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") {
                kinds.append(.other)
            } else if let entryIndent, indent > entryIndent {
                kinds.append(.continuation)
            } else if trimmed.hasPrefix("[") {
                entryIndent = nil
                kinds.append(.header(String(trimmed.dropFirst().dropLast().trimmingINIWhitespace())))
            } else if let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                entryIndent = indent
                kinds.append(.entry(key: trimmed[..<separator].trimmingINIWhitespace().lowercased(),
                                    value: String(trimmed[trimmed.index(after: separator)...].trimmingINIWhitespace())))
            } else {
                kinds.append(.other)
            }
        }
        return kinds
    }
}
