#if DEBUG
@testable import MawsCore

/// The INI reader: `INISyntax` (configparser's line rules), `INIDocument`, botocore's profile
/// mapping and shell-word splitting.
enum INIReadFuzz {
    static let target = FuzzTarget(
        "ini",
        "INI reading: lines join back to the text, parse errors name a line, "
            + "the editor reads exactly what INIDocument and botocore read, profile lookups "
            + "and config section names round-trip"
    ) { data in
        check(String(decoding: data, as: UTF8.self))
    }

    static func check(_ text: String) {
        let lines = INISyntax.lines(text)
        require(lines.map { $0.text + $0.ending }.joined().isExactly(text), "INISyntax.lines does not give the text back")
        for (index, line) in lines.enumerated() {
            require(!line.text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }, "line \(index + 1) holds a line break")
            let last = index == lines.count - 1
            require(
                ["\n", "\r\n", "\r"].contains(line.ending) || (last && line.ending.isEmpty && !line.text.isEmpty),
                "line \(index + 1) ends in \(Array(line.ending.utf8))")
        }

        let document: INIDocument
        do {
            document = try INIDocument.parse(text)
        } catch {
            require((1...max(lines.count, 1)).contains(error.line), "a parse error names line \(error.line) of \(lines.count)")
            require((try? INIEditor(text)) == nil, "INIEditor reads a file INIDocument refuses")
            require((try? BotocoreProfiles.document(text)) == nil, "botocore's reading accepts a file INIDocument refuses")
            return
        }
        checkStructure(document, lineCount: lines.count)

        // botocore reads what configparser reads, or refuses a nested value; the editor reads
        // the same again, or refuses what it will not edit around.
        if let botocore = try? BotocoreProfiles.document(text) {
            require(botocore == document, "botocore's reading differs from INIDocument's")
        }
        if let editor = try? INIEditor(text) {
            require(editor.render().isExactly(text), "render() of an unedited editor differs from its input")
            for section in document.sections {
                checkEntries(editor.entries(in: section.name), match: section)
            }
        }
        checkProfiles(document)
    }

    static func checkStructure(_ document: INIDocument, lineCount: Int) {
        var lastLine = 0
        for (index, section) in document.sections.enumerated() {
            require(!document.sections[..<index].contains { $0.name.isExactly(section.name) }, "section [\(section.name)] appears twice")
            require(section.line > lastLine && section.line <= lineCount, "section [\(section.name)] is on line \(section.line)")
            lastLine = section.line
            for (position, entry) in section.entries.enumerated() {
                require(
                    !section.entries[..<position].contains { $0.key.isExactly(entry.key) },
                    "key \(entry.key) appears twice in [\(section.name)]")
                require(entry.line > section.line && entry.line <= lineCount, "an entry of [\(section.name)] is on line \(entry.line)")
                require(!entry.key.isEmpty && !entry.key.unicodeScalars.contains { $0 == "=" || $0 == ":" }, "key '\(entry.key)'")
                require(
                    entry.key.unicodeScalars.first.map(INISyntax.isSpace) != true
                        && entry.key.unicodeScalars.last.map(INISyntax.isSpace) != true, "key '\(entry.key)' is not stripped")
                require(
                    !entry.key.unicodeScalars.contains { $0.isASCII && $0.properties.isUppercase }, "key '\(entry.key)' is not lowercased")
            }
        }
    }

    /// `INIEditor.entries(in:)` gives the section's entries as INIDocument reads them. (Its
    /// dictionary merges keys that differ only in Unicode normalization, which configparser
    /// keeps apart; such sections are not compared.)
    static func checkEntries(_ entries: [String: String]?, match section: INIDocument.Section) {
        guard let entries else { return require(false, "the editor has no section [\(section.name)]") }
        guard Set(section.entries.map(\.key)).count == section.entries.count else { return }
        require(
            entries.count == section.entries.count,
            "the editor reads \(entries.count) entries in [\(section.name)], INIDocument \(section.entries.count)")
        for entry in section.entries {
            require(
                entries[entry.key]?.isExactly(entry.value) == true, "the editor reads another value for \(entry.key) in [\(section.name)]")
        }
    }

    static func checkProfiles(_ document: INIDocument) {
        let defaults = document.section("DEFAULT")?.entries ?? []
        for section in document.sections.prefix(16) where !section.name.isExactly("DEFAULT") {
            // In a credentials file, [name] is profile name, with [DEFAULT]'s keys it lacks.
            guard let profile = document.awsProfile(section.name, inConfigFile: false) else {
                return require(false, "no credentials-file profile for [\(section.name)]")
            }
            require(profile.name.isExactly(section.name), "profile \(section.name) is read from [\(profile.name)]")
            for inherited in defaults {
                require(profile.entry(inherited.key) != nil, "profile \(section.name) lacks [DEFAULT]'s \(inherited.key)")
            }
            // In a config file, the section is the profile botocore maps it to, the last one wins.
            if let name = BotocoreProfiles.configProfile(ofSection: section.name) {
                let found = document.awsProfile(name, inConfigFile: true)
                require(
                    found.flatMap { BotocoreProfiles.configProfile(ofSection: $0.name) }?.isExactly(name) == true,
                    "config profile \(name) of [\(section.name)] is not found again")
            }
            // The section maws writes for a profile is read back as that profile.
            let written = BotocoreProfiles.configSection(for: section.name)
            require(
                BotocoreProfiles.configProfile(ofSection: written)?.isExactly(section.name) == true,
                "[\(written)] is not read back as profile \(section.name)")
        }
    }
}
#endif
