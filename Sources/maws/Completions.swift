import ArgumentParser
import MawsCore

/// What the shell completion scripts (`maws --generate-completion-script bash|zsh|fish`) offer
/// for option values maws knows from its own files: never a network request, and nothing when
/// the cache or the record of written profiles is missing or not this user's.
enum Completions {
    /// `-r/--role-arn`: the roles of the role lists maws has cached (a sign-in caches them).
    static let roleARNs: CompletionKind = .custom { _, _, prefix in
        CacheDirectory(environment: .current).knownRoleARNs().filter { $0.hasPrefix(prefix) }
    }

    /// `--profile`: the AWS profiles maws has written.
    static let profiles: CompletionKind = .custom { _, _, prefix in
        Set(WrittenProfiles(environment: .current).records().map(\.profile)).sorted().filter { $0.hasPrefix(prefix) }
    }
}
