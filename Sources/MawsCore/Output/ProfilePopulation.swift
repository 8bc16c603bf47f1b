/// `maws config populate`: one `[profile NAME]` in the AWS config file per role the roles API
/// lists for the person, each getting its credentials from `maws credential-process`, so that
/// `aws --profile NAME ...` works with no other step.
///
/// The file is edited losslessly (`INIEditor`), and only sections maws created are touched: a
/// profile of the same name that somebody else wrote is left alone and reported. Each section maws
/// creates is recorded (`WrittenProfiles`), which is how `prune` knows which ones are its own to
/// remove when their role is no longer listed.
package struct ProfilePopulation: Sendable {
    package var files: AWSFiles
    package var ledger: WrittenProfiles
    /// This maws, by its absolute path, for `credential_process`.
    package var program: String
    /// Options for `credential-process` before `--role-arn ARN`: the `-c` files maws was given.
    package var options: [String]
    package var region: String?
    /// Profile names are `PREFIX-ROLE` with a prefix, else `ALIAS-ROLE` as maws names profiles.
    package var prefix: String?

    package init(files: AWSFiles, ledger: WrittenProfiles, program: String, options: [String], region: String?, prefix: String?) {
        self.files = files
        self.ledger = ledger
        self.program = program
        self.options = options
        self.region = region
        self.prefix = prefix
    }

    /// What `apply` did (or would do, dry): the profiles by fate, and for a dry run the file's
    /// text before and after.
    package struct Outcome: Sendable, Equatable {
        package var before: String?
        package var after: String?
        package var written: [String] = []
        package var removed: [String] = []
        /// Profiles of the same name that maws did not write, left as they are.
        package var skipped: [String] = []
    }

    static let ownedKeys: Set<String> = ["credential_process", "region"]

    /// The profile name and `credential_process` line for each role of `directory`.
    package func profiles(for directory: RoleDirectory) -> [(name: String, role: RoleARN, process: String)] {
        directory.roles.map { role in
            let name =
                prefix.map { ProfileName.derived(from: "\($0)-\(role.name)") } ?? ProfileName.derived(from: directory.promptName(for: role))
            let words = [program, "credential-process"] + options + ["--role-arn", role.description]
            return (name, role, words.map(Self.shellWord).joined(separator: " "))
        }
    }

    /// Writes (or with `dryRun` only works out) the profiles for `directory`; with `prune`, removes
    /// the profiles maws created for roles no longer listed.
    package func apply(_ directory: RoleDirectory, prune: Bool, dryRun: Bool) throws -> Outcome {
        let file = SharedFile(path: files.config, holdsSecrets: false)
        let planned = profiles(for: directory)
        let records = ledger.records().filter { $0.file == files.config && $0.keys.contains("credential_process") }
        return try file.withLock {
            var outcome = Outcome()
            var created: [WrittenProfiles.Record] = []
            var gone: [WrittenProfiles.Record] = []
            let edit = { (editor: inout INIEditor) throws in
                for profile in planned {
                    let section = AWSFiles.configSection(for: profile.name)
                    let existing = editor.entries(in: section)
                    let ours = records.contains { $0.section == section && $0.createdSection == true }
                    guard existing == nil || ours else {
                        outcome.skipped.append(profile.name)
                        continue
                    }
                    var values = [(key: "credential_process", value: profile.process)]
                    if let region { values.append((key: "region", value: region)) }
                    try editor.setEntries(values, in: section, owned: Self.ownedKeys)
                    outcome.written.append(profile.name)
                    created.append(
                        .init(
                            file: files.config, section: section, profile: profile.name, keys: values.map(\.key).sorted(),
                            role: profile.role.description, region: region, createdSection: true))
                }
                guard prune else { return }
                let listed = Set(planned.map { AWSFiles.configSection(for: $0.name) })
                for record in records where !listed.contains(record.section) && record.createdSection == true {
                    try editor.removeEntries(Self.ownedKeys, from: record.section)
                    outcome.removed.append(record.profile)
                    gone.append(record)
                }
            }
            if dryRun {
                let before = try file.text() ?? ""
                var editor = try INIEditor(before)
                try edit(&editor)
                (outcome.before, outcome.after) = (before, editor.render())
                return outcome
            }
            try file.update(edit)
            for record in created { try ledger.save(record) }
            try ledger.forget(gone)
            return outcome
        }
    }

    /// `word` as botocore's `shlex.split` reads `credential_process`: as is when it has nothing
    /// the shell lexer treats specially, else in single quotes.
    static func shellWord(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-:=@%+,".contains($0)) }
        return plain ? word : BotocoreProfiles.singleQuoted(word)
    }
}
