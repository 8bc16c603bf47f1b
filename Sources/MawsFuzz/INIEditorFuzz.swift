#if DEBUG
@testable import MawsCore

/// The INI editor as maws uses it on the AWS shared files: parse, set maws's keys in one section,
/// render, remove them again.
///
/// Input: the file, then optionally a NUL and the edit to make (section, keys, values, owned keys);
/// a plain file gets maws's usual edits: its three credential keys in each section and in a new one,
/// and a region in a new config profile.
enum INIEditorFuzz {
    static let target = FuzzTarget(
        "ini-editor",
        "INI editing: an unedited render is byte-identical; after setEntries "
            + "the section reads back the values, other sections and the lines around it are "
            + "unchanged; removeEntries restores the reading (and the bytes of an added section)"
    ) { data in
        run(data)
    }

    static let credentialKeys = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]
    static let keys = credentialKeys + ["region", "output", "s3", "x.y-z"]
    static let sectionNames = ["maws-fuzz", "default", "profile maws-fuzz", "profile 'a b'", "DEFAULT", "work", " work", "a]b", "profile"]
    static let values = [
        "ASIAFUZZ0000EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "eu-west-1", "a = b", "x # y", "[z]", "\u{2028}", " v",
    ]

    static func run(_ data: [UInt8]) {
        let input = data.splitAtFirstNUL()
        var choices = input.choices
        let text = String(decoding: input.text, as: UTF8.self)
        guard let editor = try? INIEditor(text) else { return }
        require(editor.render().isExactly(text), "render() of an unedited editor differs from its input")
        guard let original = try? INIDocument.parse(text) else { return require(false, "INIEditor reads a file INIDocument refuses") }
        let existing = original.sections.map(\.name)

        if choices.isEmpty {
            let credentials = credentialKeys.enumerated().map { (key: $1, value: values[$0]) }
            for section in existing.prefix(8) + ["maws-fuzz"] {
                edit(editor, text: text, section: section, values: credentials, owned: Set(credentialKeys))
            }
            edit(editor, text: text, section: "profile maws-fuzz", values: [("region", "eu-west-1")], owned: ["region"])
            return
        }
        let section: String
        switch choices.choice(3) {
        case 0 where !existing.isEmpty: section = choices.pick(existing)
        case 1: section = choices.pick(sectionNames)
        default: section = choices.string()
        }
        var written: [(key: String, value: String)] = []
        for _ in 0..<choices.choice(4) {
            let key = choices.pick(keys)
            guard !written.contains(where: { $0.key == key }) else { continue }
            written.append((key, choices.flag() ? choices.pick(values) : choices.string()))
        }
        let owned = Set(keys.filter { _ in choices.flag() })
        edit(editor, text: text, section: section, values: written, owned: owned)
    }

    static func edit(_ editor: INIEditor, text: String, section: String, values: [(key: String, value: String)], owned: Set<String>) {
        let lines = INISyntax.lines(text)
        let kinds = try! INISyntax.classify(lines)
        let original = INIDocument.build(kinds)
        let header = kinds.firstIndex { $0.isHeader(section) }
        let allOwned = owned.union(values.map(\.key))

        var edited = editor
        do {
            try edited.setEntries(values, in: section, owned: owned)
        } catch {
            require(edited == editor, "a refused setEntries changed the editor")
            return
        }
        let rendered = edited.render()
        guard let reread = try? INIEditor(rendered), let after = try? BotocoreProfiles.document(rendered) else {
            return require(false, "the file setEntries wrote cannot be read again")
        }
        require(reread.render().isExactly(rendered), "the file setEntries wrote does not render unchanged")

        // maws's section holds the values written, none of the other owned keys, and its own keys as before.
        guard let mine = after.section(section) else { return require(false, "[\(section)] is missing after setEntries") }
        for (key, value) in values {
            require(mine.entry(key)?.value.isExactly(value) == true, "\(key) in [\(section)] does not read back as written")
        }
        for key in owned where !values.contains(where: { $0.key.isExactly(key) }) {
            require(mine.entry(key) == nil, "owned key \(key) is still in [\(section)]")
        }
        let kept = original.section(section)?.entries.filter { entry in !allOwned.contains { $0.isExactly(entry.key) } } ?? []
        require(
            mine.entries.count == kept.count + values.count,
            "[\(section)] has \(mine.entries.count) entries, expected \(kept.count + values.count)")
        for entry in kept {
            require(mine.entry(entry.key)?.value.isExactly(entry.value) == true, "\(entry.key) in [\(section)] changed")
        }
        // Every other section reads as before.
        require(after.sections.count == original.sections.count + (header == nil ? 1 : 0), "setEntries changed the number of sections")
        requireSameReading(after, original, except: section)

        // The lines maws does not own are written back byte for byte: the file up to the
        // section (all of it, for a new section; its last line may gain a line break) and after it.
        let out = INISyntax.lines(rendered)
        if let header {
            let end = kinds[(header + 1)...].firstIndex { if case .header = $0 { true } else { false } } ?? lines.count
            require(out.count >= header && Array(out[..<header]) == Array(lines[..<header]), "lines before [\(section)] changed")
            let after = lines.count - end
            require(out.count >= after && Array(out.suffix(after)) == Array(lines.suffix(after)), "lines after [\(section)] changed")
        } else if let last = lines.indices.last {
            require(
                out.count > lines.count && Array(out[..<last]) == Array(lines[..<last]) && out[last].text == lines[last].text,
                "setEntries of a new section changed the lines before it")
        }

        // Removing what was set: a section maws added goes again, leaving the file as it was
        // (byte for byte when it ended in a line break); an existing one keeps its other keys.
        var removed = edited
        let removal = Result { try removed.removeEntries(allOwned, from: section) }
        guard case .success = removal else {
            return require(header != nil, "removeEntries refuses to take away the section setEntries added: \(removal)")
        }
        guard let afterRemoval = try? INIDocument.parse(removed.render()) else {
            return require(false, "the file removeEntries wrote cannot be read again")
        }
        requireSameReading(afterRemoval, original, except: section)
        if header == nil {
            require(afterRemoval.section(section) == nil, "removeEntries left the section setEntries added")
            require(afterRemoval.sections.count == original.sections.count, "removeEntries did not restore the sections")
            if lines.last.map({ !$0.ending.isEmpty }) ?? true {
                require(removed.render().isExactly(text), "removing an added section does not restore the bytes")
            }
        } else if let left = afterRemoval.section(section) {
            require(
                left.entries.count == kept.count
                    && kept.allSatisfy { entry in left.entry(entry.key)?.value.isExactly(entry.value) == true },
                "after removeEntries [\(section)] does not read as before without the owned keys")
        } else {
            require(kept.isEmpty, "removeEntries removed [\(section)] with keys it did not own")
        }
    }

    /// Every section but `except` reads the same in both, in the same order.
    static func requireSameReading(_ edited: INIDocument, _ original: INIDocument, except section: String) {
        let others = { (document: INIDocument) in document.sections.filter { !$0.name.isExactly(section) } }
        let before = others(original)
        let after = others(edited)
        require(before.count == after.count, "the other sections are not all there")
        for (one, other) in zip(before, after) {
            require(
                one.name.isExactly(other.name) && one.entries.count == other.entries.count
                    && one.entries.allSatisfy { entry in other.entry(entry.key)?.value.isExactly(entry.value) == true },
                "[\(one.name)] reads differently after editing [\(section)]")
        }
    }
}
#endif
