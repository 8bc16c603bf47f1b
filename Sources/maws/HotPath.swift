import ArgumentParser
import MawsCore

/// Reads, without swift-argument-parser, the command lines that AWS SDKs and scripts run on every
/// credential request:
///
///     maws [login] [-b] [-r ARN] [-o FORMAT] [--shell S] [--profile P] [-c FILE]... [-v]
///     maws credential-process (--role-arn ARN | --vault-role NAME) [-c FILE]... [-v]
///
/// swift-argument-parser builds every option's definition, with a runtime type lookup for each,
/// before it reads a word: most of a cached-credentials run. Anything this scanner does not fully
/// understand (another option, a repeated one, `--opt=` forms it does not know, a value that looks
/// like an option, options that do not go together) gives nil, and swift-argument-parser reads the
/// command line as before, so help and error messages stay its own. `HotPathTests` holds the two
/// readers to the same result for every combination of these options.
enum HotPath {
    enum Invocation: Equatable {
        case login(LoginInvocation)
        case credentialProcess(CredentialProcessInvocation)

        /// The command swift-argument-parser would have run: its messages report a failure.
        var commandType: any ParsableCommand.Type {
            switch self {
            case .login: LoginCommand.self
            case .credentialProcess: CredentialProcessCommand.self
            }
        }

        func run() throws {
            switch self {
            case .login(let invocation): try invocation.run()
            case .credentialProcess(let invocation): try invocation.run()
            }
        }
    }

    static func scan(_ arguments: [String]) -> Invocation? {
        if arguments.first == "credential-process" {
            return credentialProcess(arguments.dropFirst())
        }
        return login(arguments.first == "login" ? arguments.dropFirst() : arguments[...])
    }

    private static func login(_ arguments: ArraySlice<String>) -> Invocation? {
        var invocation = LoginInvocation()
        var words = Words(arguments)
        while let option = words.next() {
            switch option.name {
            case "-c", "--config": invocation.configFiles.append(option.value ?? "")
            case "-v", "--verbose": invocation.verbose = true
            case "-b", "--batch": invocation.batch = true
            case "-r", "--role-arn": invocation.signIn.roleARN = option.value
            case "--profile": invocation.profile = option.value
            case "-o", "--output":
                guard let format = option.value.flatMap(OutputFormat.init(rawValue:)) else { return nil }
                invocation.output = format
            case "--shell":
                guard let dialect = option.value.flatMap(ShellDialect.init(rawValue:)) else { return nil }
                invocation.shell = dialect
            default: return nil
            }
        }
        guard words.understood, invocation.invalidity == nil else { return nil }
        return .login(invocation)
    }

    private static func credentialProcess(_ arguments: ArraySlice<String>) -> Invocation? {
        var invocation = CredentialProcessInvocation()
        var words = Words(arguments)
        while let option = words.next() {
            switch option.name {
            case "-c", "--config": invocation.configFiles.append(option.value ?? "")
            case "-v", "--verbose": invocation.verbose = true
            case "-r", "--role-arn": invocation.signIn.roleARN = option.value
            case "--vault-role": invocation.vault = option.value.map { VaultRequest(role: $0) }
            default: return nil
            }
        }
        guard words.understood, invocation.invalidity == nil else { return nil }
        return .credentialProcess(invocation)
    }

    /// The options of a command line, one at a time, with their values. It stops (and
    /// `understood` turns false) at anything the scanner leaves to swift-argument-parser.
    struct Words {
        private var rest: ArraySlice<String>
        /// The options read so far, by their long spelling. (Arrays and switches rather than sets
        /// and dictionaries: a handful of comparisons costs less than making a Set's metadata.)
        private var seen: [String] = []
        private(set) var understood = true

        /// Options that take a value.
        static func takesValue(_ name: String) -> Bool {
            switch name {
            case "-c", "--config", "-r", "--role-arn", "--profile", "-o", "--output", "--shell", "--vault-role": true
            default: false
            }
        }

        /// The long spelling of an option: its short and long spellings count as one for the
        /// repetition check.
        static func canonical(_ name: String) -> String {
            switch name {
            case "-c": "--config"
            case "-v": "--verbose"
            case "-b": "--batch"
            case "-r": "--role-arn"
            case "-o": "--output"
            default: name
            }
        }

        init(_ arguments: ArraySlice<String>) {
            rest = arguments
        }

        mutating func next() -> (name: String, value: String?)? {
            guard understood, let word = rest.popFirst() else { return nil }
            var name = word
            var value: String?
            if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            }
            guard name.hasPrefix("-"), name != "-", name != "--" else { return stop() }
            let key = Self.canonical(name)
            if key != "--config" {  // the one option that may be given more than once
                guard !seen.contains(key) else { return stop() }
                seen.append(key)
            }
            if Self.takesValue(name) {
                if value == nil {
                    // A value that looks like an option is for swift-argument-parser to judge.
                    guard let next = rest.popFirst(), !next.hasPrefix("-") else { return stop() }
                    value = next
                }
            } else if value != nil {
                return stop()  // `--batch=...`
            }
            return (name, value)
        }

        private mutating func stop() -> (name: String, value: String?)? {
            understood = false
            return nil
        }
    }
}
