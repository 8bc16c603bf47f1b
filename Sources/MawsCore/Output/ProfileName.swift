/// AWS profile names maws writes.
package enum ProfileName {
    /// The characters every AWS tool accepts in a section name and an environment variable, and
    /// the shell reads back as themselves however it is invoked.
    static let characters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@+=,-")

    /// `ALIAS-ROLE` (the account id when there is no alias), or any name made from remote data,
    /// reduced to letters, digits and `_.@+=,-` (anything else becomes `-`).
    package static func derived(from promptName: String) -> String {
        String(promptName.map { characters.contains($0) ? $0 : "-" })
    }

    /// Refuses a chosen name (already `validated`) that sh output would print as AWS_PROFILE and
    /// that holds characters outside those of derived names: the unquoted `eval $(maws)` splits
    /// words and expands globs before eval reads the line.
    package static func checkPrintable(_ name: String, source: String, dialect: ShellDialect) throws(ConfigError) {
        guard dialect == .sh, let character = name.first(where: { !characters.contains($0) }) else { return }
        throw .invalidSetting(
            source: source,
            reason: "the profile name contains \(ShellDialect.describe(character)), which the unquoted `eval $(maws)` "
                + "would split or expand; for sh output (the default --shell) a profile name may hold only letters, digits "
                + "and _.@+=,- (fish and powershell output take any name)")
    }

    /// A name given with `--profile` or the `profile` key: anything an INI section header and
    /// botocore can carry. Spaces and quotes are fine in a file; what the shell output may print
    /// is `checkPrintable`'s concern.
    package static func validated(_ name: String, source: String) throws(ConfigError) -> String {
        let problem: String?
        if name.isEmpty {
            problem = "the profile name is empty"
        } else if name.first!.isWhitespace || name.last!.isWhitespace {
            problem = "the profile name starts or ends with whitespace, which AWS tools strip"
        } else if name.unicodeScalars.contains(where: {
            $0 == "[" || $0 == "]" || $0.value < 0x20 || (0x7F..<0xA0).contains($0.value)
                || $0.value == 0x2028 || $0.value == 0x2029
        }) {
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
