/// An INI file as Python's `configparser` reads it (the format of maws's config and of the AWS
/// shared files): `[section]` headers, `key = value` or `key: value` entries, `#` and `;` comment
/// lines, indented continuation lines. Keys are case-insensitive and stored lowercased. The exact
/// rules are `INISyntax`'s.
///
/// Every section and entry keeps the line it came from, so errors can point at it.
package struct INIDocument: Sendable, Equatable {
    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: String
        package var line: Int
    }

    package struct Section: Sendable, Equatable {
        package var name: String
        package var line: Int
        package var entries: [Entry]

        package func entry(_ key: String) -> Entry? {
            entries.first { $0.key.isExactly(key) }
        }
    }

    package var sections: [Section]

    /// The section named exactly `name` (scalar for scalar, as configparser compares names).
    package func section(_ name: String) -> Section? {
        sections.first { $0.name.isExactly(name) }
    }

    package init(sections: [Section] = []) {
        self.sections = sections
    }

    /// Reads and parses the file at `path` (through symlinks); nil when it does not exist.
    /// `syntaxError` turns a parse error into the caller's error, which knows what the file is for.
    package static func read(_ path: String, syntaxError: (INIParseError) -> any Error) throws -> INIDocument? {
        guard let text = try SharedFile(path: path, holdsSecrets: false).text() else { return nil }
        do {
            return try parse(text)
        } catch {
            throw syntaxError(error)
        }
    }

    /// Parses `text` by configparser's rules (see `INISyntax`); errors carry the 1-based line
    /// number and what is wrong there. `[DEFAULT]` is kept as a section of that name; a second
    /// `[DEFAULT]` header continues it, as in configparser.
    package static func parse(_ text: String) throws(INIParseError) -> INIDocument {
        let lines = INISyntax.lines(text)
        return build(try INISyntax.classify(lines))
    }

    static func build(_ kinds: [INISyntax.Kind]) -> INIDocument {
        var document = INIDocument()
        let values = INISyntax.values(kinds)
        var current: Int?
        for (index, kind) in kinds.enumerated() {
            switch kind {
            case .header(let name):
                if let existing = document.sections.firstIndex(where: { $0.name.isExactly(name) }) {
                    current = existing
                } else {
                    document.sections.append(Section(name: name, line: index + 1, entries: []))
                    current = document.sections.count - 1
                }
            case .entry(let key, _):
                if let current {
                    document.sections[current].entries.append(Entry(key: key, value: values[index] ?? "", line: index + 1))
                }
            case .blank, .comment, .continuation:
                break
            }
        }
        return document
    }

    /// The profile `name` as botocore reads it from an AWS credentials file (`[name]`) or config
    /// file (the last section botocore maps to it: `[default]`, `[profile name]`,
    /// `[profile "name"]`...), with the keys of `[DEFAULT]` that the section does not set itself.
    package func awsProfile(_ name: String, inConfigFile: Bool) -> Section? {
        let found: Section?
        if inConfigFile {
            found = sections.last {
                !$0.name.isExactly("DEFAULT") && BotocoreProfiles.configProfile(ofSection: $0.name)?.isExactly(name) == true
            }
        } else {
            found = name.isExactly("DEFAULT") ? nil : section(name)
        }
        guard var profile = found else { return nil }
        for inherited in section("DEFAULT")?.entries ?? [] where profile.entry(inherited.key) == nil {
            profile.entries.append(inherited)
        }
        return profile
    }
}

/// The lines of `text`, split at each LF byte (a CR before it stays on the line). Splitting the
/// String by Character would not work: Swift treats "\r\n" as one Character. (INI files are
/// split by `INISyntax.lines`, which also breaks at a lone CR, as Python does.)
func lines(of text: String) -> [String] {
    text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
}

/// A line of an INI file that maws cannot read, or will not edit around.
package struct INIParseError: Error, Equatable, Sendable {
    package var line: Int
    /// What is wrong on that line.
    package var reason: String
    /// What to do about it, when there is more to say than "fix that line" (as for files that
    /// configparser reads but maws will not edit).
    package var remedy: String?

    package init(line: Int, reason: String, remedy: String? = nil) {
        self.line = line
        self.reason = reason
        self.remedy = remedy
    }
}
