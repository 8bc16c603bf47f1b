/// Edits an AWS shared file (or another INI file botocore reads) without disturbing it: every line
/// maws does not own (other sections, other keys, comments, blank lines, odd spacing, the order,
/// each line's own line ending) is written back byte for byte.
///
/// maws owns keys in one section at a time: `setEntries` replaces their lines in place, removes
/// owned keys it no longer writes, and appends new ones at the end of the section (or appends the
/// section at the end of the file).
///
/// The file is read by configparser's exact rules (`INISyntax`), and botocore's on top
/// (`BotocoreProfiles`). A file either cannot read is refused, never rewritten; so is a file they
/// read in a way maws will not edit around (a `[DEFAULT]` section, whose keys every profile
/// inherits). Every edit is checked by reading the result again: botocore must read every other
/// section exactly as before and maws's section with exactly the keys maws set, or the edit is
/// refused with the line where it would go wrong.
package struct INIEditor: Sendable, Equatable {
    private var lines: [INISyntax.Line]
    private var kinds: [INISyntax.Kind]
    /// The terminator of a last line that gets lines after it: the file's first one (LF, CRLF or
    /// CR), LF in a file without any. New lines take the terminator of the line before them, so
    /// that no LF of maws's ever follows a lone CR (Python would read the two as one CRLF).
    private let newline: String

    /// Parses `text`; a file configparser could not read either is refused, never rewritten.
    package init(_ text: String) throws(INIParseError) {
        lines = INISyntax.lines(text)
        kinds = try Self.classify(lines)
        newline = lines.first { !$0.ending.isEmpty }?.ending ?? "\n"
    }

    package func render() -> String {
        lines.map { $0.text + $0.ending }.joined()
    }

    /// The `key = value` entries of `section` (values as botocore reads them, continuation lines
    /// included), or nil when it does not exist.
    package func entries(in section: String) -> [String: String]? {
        guard let range = sectionRange(section) else { return nil }
        let values = INISyntax.values(kinds)
        var entries: [String: String] = [:]
        for index in range {
            if case .entry(let key, _) = kinds[index] { entries[key] = values[index] }
        }
        return entries
    }

    /// Sets `values` in `section` and removes the other keys of `owned` from it (keys in
    /// `values` are owned too). Throws `INIValueError` when a value cannot be written so that
    /// botocore reads it back unchanged, and `INIParseError` when the file holds something that
    /// makes the edit unsafe: another section botocore reads as the same profile, a lookalike
    /// section other SDKs may read as the same one, lines whose reading the edit would change.
    package mutating func setEntries(_ values: [(key: String, value: String)], in section: String, owned: Set<String>) throws {
        try Self.checkWritable(section: section, values)
        let owned = Array(owned) + values.map(\.key)
        try checkNoOtherSectionIsTheSameProfile(as: section)
        var expected = INIDocument.build(kinds)
        let written = values.map { INIDocument.Entry(key: $0.key, value: $0.value, line: 0) }

        guard let range = sectionRange(section) else {
            try checkNoLookalike(of: section)
            // The section goes at the end, after an empty line of its own (which removeEntries
            // takes away with it, so a file ending in blank lines keeps all of them).
            var candidate = lines
            var ending = newline
            if let last = candidate.indices.last {
                if candidate[last].ending.isEmpty { candidate[last].ending = newline }
                ending = candidate[last].ending
                candidate.append(INISyntax.Line(text: "", ending: ending))
            }
            candidate.append(INISyntax.Line(text: "[\(section)]", ending: ending))
            candidate += values.map { INISyntax.Line(text: Self.entryText($0.key, $0.value), ending: ending) }
            expected.sections.append(INIDocument.Section(name: section, line: 0, entries: written))
            try commit(candidate, expecting: expected, line: max(lines.count, 1), section: section)
            return
        }

        var replacement = rewritten(range, owned: owned, setting: values)
        let pending = values.filter { value in !range.contains { kinds[$0].isEntry(value.key) } }
        // New keys go after the section's last non-blank line, indented like the next section's
        // header: indented deeper, that header would become a continuation of the new value.
        var insertion = replacement.count
        while insertion > 1, Self.isBlank(replacement[insertion - 1]) { insertion -= 1 }
        let indent = range.upperBound < lines.count ? Self.indentation(of: lines[range.upperBound]) : 0
        let previousEnding = replacement[insertion - 1].ending
        var added = pending.map {
            INISyntax.Line(
                text: String(repeating: " ", count: indent) + Self.entryText($0.key, $0.value),
                ending: previousEnding.isEmpty ? newline : previousEnding)
        }
        if !added.isEmpty, previousEnding.isEmpty {
            // The end of a file without a final newline: it still has none afterwards.
            replacement[insertion - 1].ending = newline
            added[added.count - 1].ending = ""
        }
        replacement.insert(contentsOf: added, at: insertion)

        var candidate = lines
        candidate.replaceSubrange(range, with: replacement)
        let target = expected.sections.firstIndex { $0.name.isExactly(section) }!
        expected.sections[target].entries.removeAll { entry in owned.contains { $0.isExactly(entry.key) } }
        expected.sections[target].entries += written
        try commit(candidate, expecting: expected, line: range.lowerBound + 1, section: section)
    }

    /// Removes the keys of `owned` from `section`, and the section itself when nothing but blank
    /// lines is left in it (unless that would change how a following line reads). Returns whether
    /// the file changed.
    @discardableResult
    package mutating func removeEntries(_ owned: Set<String>, from section: String) throws -> Bool {
        guard let range = sectionRange(section) else { return false }
        let owned = Array(owned)
        let replacement = rewritten(range, owned: owned, setting: [])
        var candidate = lines
        candidate.replaceSubrange(range, with: replacement)
        var expected = INIDocument.build(kinds)
        let target = expected.sections.firstIndex { $0.name.isExactly(section) }!
        expected.sections[target].entries.removeAll { entry in owned.contains { $0.isExactly(entry.key) } }

        if replacement.dropFirst().allSatisfy(Self.isBlank) {
            // Undo what setEntries adds with a section: the section and the empty line before it.
            var start = range.lowerBound
            let end = start + replacement.count
            if start > 0, candidate[start - 1].text.isEmpty, end == candidate.count || Self.isBlank(candidate[end - 1]) {
                start -= 1
            }
            var withoutSection = candidate
            withoutSection.removeSubrange(start..<end)
            var expectedWithout = expected
            expectedWithout.sections.remove(at: target)
            if (try? commit(withoutSection, expecting: expectedWithout, line: range.lowerBound + 1, section: section)) != nil {
                return true
            }
        }
        let before = lines
        try commit(candidate, expecting: expected, line: range.lowerBound + 1, section: section)
        return lines != before
    }

    /// The lines of `range` with the owned entries replaced by `values` in place (same
    /// indentation, so the lines after them read as before) or left out, continuations included.
    private func rewritten(_ range: Range<Int>, owned: [String], setting values: [(key: String, value: String)]) -> [INISyntax.Line] {
        func isOwned(_ key: String) -> Bool { owned.contains { $0.isExactly(key) } }
        var replacement: [INISyntax.Line] = []
        for index in range {
            switch kinds[index] {
            case .entry(let key, _) where isOwned(key):
                if let value = values.first(where: { $0.key.isExactly(key) }) {
                    let indent = String(lines[index].text.unicodeScalars.prefix(while: INISyntax.isSpace))
                    replacement.append(INISyntax.Line(text: indent + Self.entryText(key, value.value), ending: lines[index].ending))
                }
            case .continuation(let owner, _):
                if case .entry(let key, _) = kinds[owner], isOwned(key) { continue }
                replacement.append(lines[index])
            default:
                replacement.append(lines[index])
            }
        }
        return replacement
    }

    /// Takes `candidate` if botocore reads it as `expected`, else refuses at `line`. The check
    /// reads the text the lines make, as a later reader will: taking lines out can put an LF
    /// right after a lone CR, which then reads as one line break.
    private mutating func commit(_ candidate: [INISyntax.Line], expecting expected: INIDocument, line: Int, section: String)
        throws(INIParseError)
    {
        let refusal = INIParseError(
            line: line, reason: "maws cannot change [\(section)] here without changing how AWS tools read the lines around it",
            remedy: "remove the indentation of the lines that follow it")
        let reread = INISyntax.lines(candidate.map { $0.text + $0.ending }.joined())
        guard let candidateKinds = try? Self.classify(reread),
            Self.sameReading(INIDocument.build(candidateKinds), expected)
        else { throw refusal }
        lines = reread
        kinds = candidateKinds
    }

    /// Classifies `lines`, refusing what botocore cannot read and what maws does not edit.
    private static func classify(_ lines: [INISyntax.Line]) throws(INIParseError) -> [INISyntax.Kind] {
        let kinds = try INISyntax.classify(lines)
        if let error = BotocoreProfiles.nestedValueError(kinds) { throw error }
        if let index = kinds.firstIndex(where: { $0.isHeader("DEFAULT") }) {
            throw INIParseError(
                line: index + 1,
                reason: "[DEFAULT] gives its keys to every profile in the file, so a profile maws writes would get them too",
                remedy: "move its keys into the profiles that need them")
        }
        return kinds
    }

    /// Refuses to write `section` when another section is the same profile to botocore: in a
    /// config file `[profile x]`, `[profile "x"]` and `[profile  x]` are all profile x, and the
    /// last one wins. (In a credentials file those are different profiles, but maws never needs
    /// such names there, so it refuses there too rather than guess which file it is editing.)
    private func checkNoOtherSectionIsTheSameProfile(as section: String) throws(INIParseError) {
        guard let profile = BotocoreProfiles.configProfile(ofSection: section) else { return }
        let exists = sectionRange(section) != nil
        for (index, kind) in kinds.enumerated() {
            guard case .header(let name) = kind, !name.isExactly(section),
                BotocoreProfiles.configProfile(ofSection: name)?.isExactly(profile) == true
            else { continue }
            throw INIParseError(
                line: index + 1, reason: "[\(name)] is profile '\(profile)' to AWS tools, as is [\(section)], which maws writes",
                remedy: exists ? "keep only one of the two sections" : "rename it to [\(section)]")
        }
    }

    /// Refuses to add `section` next to a header other AWS SDKs may read as the same section,
    /// though botocore does not: `[ work ]`, or `[work] ; old [team] name` (to botocore, the name
    /// runs to the last `]`).
    private func checkNoLookalike(of section: String) throws(INIParseError) {
        let wanted = Self.looseName(of: "[\(section)]")
        for (index, kind) in kinds.enumerated() {
            guard case .header(let name) = kind, Self.looseName(of: lines[index].text).isExactly(wanted) else { continue }
            throw INIParseError(
                line: index + 1,
                reason: "[\(name)] is another section than [\(section)] to the AWS CLI, but other AWS SDKs may read it as the same",
                remedy: "rename it to [\(section)], or write another profile")
        }
    }

    /// A header as a lenient INI reader sees it: up to the first `]`, with runs of whitespace as
    /// one space and none around the name.
    private static func looseName(of header: String) -> String {
        let scalars = Array(header.unicodeScalars)
        let inner = INISyntax.stripped(scalars[...]).dropFirst().prefix { $0 != "]" }
        let words = inner.split(whereSeparator: INISyntax.isSpace).map { INISyntax.string($0) }
        return words.joined(separator: " ")
    }

    /// What `setEntries` writes must read back the same through botocore: a section name that
    /// makes a header of its own, keys configparser keeps as they are, values on one line.
    private static func checkWritable(section: String, _ values: [(key: String, value: String)]) throws(INIValueError) {
        if section.isEmpty { throw INIValueError(reason: "the section name is empty") }
        if section.isExactly("DEFAULT") {
            throw INIValueError(reason: "[DEFAULT] is not a profile: AWS tools give its keys to every profile")
        }
        if let bad = section.unicodeScalars.first(where: { isControlOrBreak($0) || $0 == "[" || $0 == "]" }) {
            throw INIValueError(reason: "the section name [\(section)] contains \(describe(bad)), which an INI header cannot hold")
        }
        if let first = section.unicodeScalars.first, let last = section.unicodeScalars.last,
            INISyntax.isSpace(first) || INISyntax.isSpace(last)
        {
            throw INIValueError(reason: "the section name [\(section)] starts or ends with whitespace")
        }
        for (key, value) in values {
            guard !key.isEmpty,
                key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0) })
            else {
                throw INIValueError(reason: "'\(key)' is not a key maws writes: lowercase letters, digits, '_', '-' and '.' only")
            }
            if let bad = value.unicodeScalars.first(where: isControlOrBreak) {
                throw INIValueError(
                    reason: "the value of \(key) contains \(describe(bad)), and a value must be a single line without control characters")
            }
            if let first = value.unicodeScalars.first, let last = value.unicodeScalars.last,
                INISyntax.isSpace(first) || INISyntax.isSpace(last)
            {
                throw INIValueError(reason: "the value of \(key) starts or ends with whitespace, which AWS tools strip")
            }
        }
    }

    private static func isControlOrBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        var hex = String(scalar.value, radix: 16, uppercase: true)
        while hex.count < 4 { hex = "0" + hex }
        return "U+\(hex)"
    }

    private static func entryText(_ key: String, _ value: String) -> String {
        value.isEmpty ? "\(key) =" : "\(key) = \(value)"
    }

    private static func isBlank(_ line: INISyntax.Line) -> Bool {
        line.text.unicodeScalars.allSatisfy(INISyntax.isSpace)
    }

    private static func indentation(of line: INISyntax.Line) -> Int {
        line.text.unicodeScalars.prefix(while: INISyntax.isSpace).count
    }

    /// Whether botocore reads the same sections with the same keys and values in both.
    private static func sameReading(_ a: INIDocument, _ b: INIDocument) -> Bool {
        a.sections.count == b.sections.count
            && zip(a.sections, b.sections).allSatisfy { one, other in
                one.name.isExactly(other.name) && one.entries.count == other.entries.count
                    && one.entries.allSatisfy { entry in
                        other.entries.contains { $0.key.isExactly(entry.key) && $0.value.isExactly(entry.value) }
                    }
            }
    }

    /// The lines of `section`: its header up to (not including) the next header.
    private func sectionRange(_ section: String) -> Range<Int>? {
        guard let start = kinds.firstIndex(where: { $0.isHeader(section) }) else { return nil }
        let end = kinds[(start + 1)...].firstIndex { if case .header = $0 { return true } else { return false } } ?? lines.count
        return start..<end
    }
}

/// A value maws was asked to write that botocore would not read back as written.
package struct INIValueError: Error, Equatable, Sendable {
    package var reason: String
}

extension INISyntax.Kind {
    func isHeader(_ name: String) -> Bool {
        if case .header(let header) = self { return header.isExactly(name) }
        return false
    }

    func isEntry(_ key: String) -> Bool {
        if case .entry(let entry, _) = self { return entry.isExactly(key) }
        return false
    }
}
