/// AWS profile names maws writes.
public enum ProfileName {
    /// `ALIAS-ROLE` (the account id when there is no alias), reduced to characters every AWS tool
    /// accepts in a section name and an environment variable: letters, digits and `_.@+=,-`.
    public static func derived(from promptName: String) -> String {
        String(promptName.map { character in
            character.isASCII && (character.isLetter || character.isNumber || "_.@+=,-".contains(character)) ? character : "-"
        })
    }

    /// A name given with `--profile` or the `profile` key: anything an INI section header and
    /// botocore can carry. Spaces and quotes are fine (maws quotes what it prints).
    public static func validated(_ name: String, source: String) throws(ConfigError) -> String {
        let problem: String?
        if name.isEmpty {
            problem = "the profile name is empty"
        } else if name.first!.isWhitespace || name.last!.isWhitespace {
            problem = "the profile name starts or ends with whitespace, which AWS tools strip"
        } else if name.contains(where: { $0 == "[" || $0 == "]" || $0.isNewline || ($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) }) {
            problem = "the profile name contains brackets or control characters, which cannot appear in an INI section name"
        } else if name.isExactly("DEFAULT") {
            problem = "DEFAULT is not a profile name AWS tools accept: [DEFAULT] gives its keys to every profile"
        } else if name.count > 128 {
            problem = "the profile name is longer than 128 characters"
        } else {
            problem = nil
        }
        if let problem { throw .invalidSetting(source: source, reason: problem) }
        return name
    }
}
