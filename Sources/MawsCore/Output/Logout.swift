/// `maws logout`: removes the key material maws wrote, and only that.
public struct Logout: Sendable {
    public enum Scope: Sendable, Equatable {
        /// The profile the shell uses now (`$AWS_PROFILE`), if maws wrote it.
        case current
        case profile(String)
        case all
    }

    public var scope: Scope
    public var environment: Environment
    public var dialect: ShellDialect

    public init(scope: Scope, environment: Environment, dialect: ShellDialect) {
        self.scope = scope
        self.environment = environment
        self.dialect = dialect
    }

    public struct Result: Sendable {
        /// The lines that clear the shell's maws variables.
        public var script: ShellScript
        /// "profile P in FILE" for each place something was removed from.
        public var removed: [String]
    }

    public func run() throws -> Result {
        let ledger = WrittenProfiles(environment: environment)
        let records = ledger.records()
        let chosen: [WrittenProfiles.Record]
        switch scope {
        case .all:
            chosen = records
        case .profile(let name):
            chosen = records.filter { $0.profile == name }
            guard !chosen.isEmpty else { throw LogoutError.notWrittenByMaws(profile: name) }
        case .current:
            chosen = environment["AWS_PROFILE"].map { name in records.filter { $0.profile == name } } ?? []
        }

        var removed: [String] = []
        for record in chosen {
            let file = SharedFile(path: record.file, holdsSecrets: record.keys != ["region"])
            if try file.update({ editor in try editor.removeEntries(Set(record.keys), from: record.section) }) {
                removed.append("[\(record.section)] in \(record.file)")
            }
        }
        try ledger.forget(chosen)

        // The cached key material goes too: all of it with --all, else that of the profiles' roles.
        let cache = CacheDirectory(environment: environment)
        if scope == .all {
            let count = cache.forget(role: nil, everything: true)
            if count > 0 { removed.append("\(count) cached credentials, ID tokens and role lists in \(cache.path)") }
        } else {
            for role in Set(chosen.compactMap(\.role)) {
                let count = cache.forget(role: role, everything: false)
                if count > 0 { removed.append("cached credentials for \(role)") }
            }
        }

        var script = ShellScript(dialect: dialect)
        var names = CredentialOutput.keyVariables + CredentialOutput.sessionVariables
        let removedProfiles = Set(chosen.map(\.profile))
        if let current = environment["AWS_PROFILE"], removedProfiles.contains(current) {
            names.append("AWS_PROFILE")
            if environment["AWS_SHARED_CREDENTIALS_FILE"].map(environment.expandingTilde) == AWSFiles(environment: environment).mawsCredentials {
                names.append("AWS_SHARED_CREDENTIALS_FILE")
            }
        }
        script.unset(names)
        return Result(script: script, removed: removed)
    }
}

public enum LogoutError: MawsError, Equatable {
    case notWrittenByMaws(profile: String)

    public var description: String {
        switch self {
        case .notWrittenByMaws(let profile):
            return "maws has not written a profile named '\(profile)' (or has removed it already); nothing to remove"
        }
    }
}
