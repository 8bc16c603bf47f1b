/// What botocore (`botocore/configloader.py`) adds to configparser when it reads the AWS shared
/// files: which config-file sections are which profile, and nested values.
package enum BotocoreProfiles {
    /// The profile botocore's `build_profile_map` makes of a config-file section: `default` for
    /// `[default]`; for a section whose name starts with "profile" and splits, shell-like, into
    /// exactly two words, the second word (`[profile x]`, `[profile  "x"]`, even `[profiles x]`);
    /// nil for any other section. When several sections map to one profile, the last one wins.
    package static func configProfile(ofSection name: String) -> String? {
        if name.unicodeScalars.starts(with: "profile".unicodeScalars) {
            guard let words = shellWords(name), words.count == 2 else { return nil }
            return words[1]
        }
        return name.isExactly("default") ? "default" : nil
    }

    /// The config-file section maws writes for `profile`: `default`, else `profile NAME`, with
    /// NAME in single quotes (as `shlex.quote` and the AWS CLI write it) when botocore would not
    /// read it back as one word otherwise, as with spaces or quotes in it.
    package static func configSection(for profile: String) -> String {
        if profile.isExactly("default") { return "default" }
        let plain = "profile " + profile
        if configProfile(ofSection: plain)?.isExactly(profile) == true { return plain }
        return "profile " + singleQuoted(profile)
    }

    /// `word` in single quotes, each `'` written `'"'"'`, as Python's `shlex.quote` quotes: what
    /// `shellWords` (and botocore, for section names and `credential_process`) reads back as it.
    package static func singleQuoted(_ word: String) -> String {
        var quoted = String.UnicodeScalarView("'".unicodeScalars)
        for scalar in word.unicodeScalars {
            if scalar == "'" { quoted.append(contentsOf: "'\"'\"'".unicodeScalars) } else { quoted.append(scalar) }
        }
        quoted.append("'")
        return String(quoted)
    }

    /// Python's `shlex.split(text)` (POSIX mode, no comments): words separated by space, tab, CR
    /// or LF; single quotes keep everything; in double quotes a backslash escapes only `"` and
    /// `\`; outside quotes it escapes any character. Nil where shlex raises ValueError (an
    /// unclosed quote, a backslash at the end).
    static func shellWords(_ text: String) -> [String]? {
        enum State {
            case between
            case word
            case quoted(Unicode.Scalar)
            case escaped(inDoubleQuotes: Bool)
        }
        var words: [String] = []
        var token = String.UnicodeScalarView()
        // A token that had quotes is a word even when empty: `''`.
        var quoted = false
        var state = State.between
        for scalar in text.unicodeScalars {
            switch state {
            case .between, .word:
                if scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" {
                    if case .word = state, !token.isEmpty || quoted { words.append(String(token)) }
                    token = String.UnicodeScalarView()
                    quoted = false
                    state = .between
                } else if scalar == "\\" {
                    state = .escaped(inDoubleQuotes: false)
                } else if scalar == "'" || scalar == "\"" {
                    quoted = true
                    state = .quoted(scalar)
                } else {
                    token.append(scalar)
                    state = .word
                }
            case .quoted(let quote):
                if scalar == quote {
                    state = .word
                } else if quote == "\"", scalar == "\\" {
                    state = .escaped(inDoubleQuotes: true)
                } else {
                    token.append(scalar)
                }
            case .escaped(let inDoubleQuotes):
                if inDoubleQuotes, scalar != "\\", scalar != "\"" { token.append("\\") }
                token.append(scalar)
                state = inDoubleQuotes ? .quoted("\"") : .word
            }
        }
        switch state {
        case .quoted, .escaped:
            return nil
        case .word:
            if !token.isEmpty || quoted { words.append(String(token)) }
        case .between:
            break
        }
        return words
    }

    /// `text` parsed as botocore parses an AWS shared file, and refused where botocore refuses it.
    static func document(_ text: String) throws(INIParseError) -> INIDocument {
        let kinds = try INISyntax.classify(INISyntax.lines(text))
        if let error = nestedValueError(kinds) { throw error }
        return INIDocument.build(kinds)
    }

    /// botocore reads a value that starts on the line after its key (`s3 =` and indented lines
    /// below) as nested `name = value` settings, and refuses the whole file when one of those
    /// lines has no `=`: the first such line, as a parse error.
    static func nestedValueError(_ kinds: [INISyntax.Kind]) -> INIParseError? {
        for (index, kind) in kinds.enumerated() {
            guard case .continuation(let owner, let text) = kind, case .entry(let key, let value) = kinds[owner], value.isEmpty else {
                continue
            }
            // botocore splits the value with str.splitlines(), which breaks at more than LF.
            let pieces = Array(text.unicodeScalars).split(whereSeparator: INISyntax.isLineBoundary)
            if pieces.contains(where: { !INISyntax.stripped($0).isEmpty && !$0.contains("=") }) {
                return INIParseError(
                    line: index + 1,
                    reason: "the value of '\(key)' starts on the line after it, so AWS tools read "
                        + "the lines below as 'name = value' settings, and this one has no '='")
            }
        }
        return nil
    }
}
