import ArgumentParser

/// `maws --generate-completion-script SHELL`: swift-argument-parser's script, and for bash a
/// wrapper that completes `maws -r ...` as `maws login -r ...`, since login is the default command
/// and swift-argument-parser's scripts complete a default command's options only after its name.
enum CompletionScript {
    static func text(for shell: CompletionShell) -> String {
        let script = Maws.completionScript(for: shell)
        guard shell == .bash else { return script }
        return script + bashDefaultCommand
    }

    /// The shell named by `arguments` when they ask for a completion script and nothing else.
    static func requestedShell(_ arguments: [String]) -> CompletionShell? {
        switch arguments.count {
        case 2 where arguments[0] == "--generate-completion-script": return CompletionShell(rawValue: arguments[1])
        case 1 where arguments[0].hasPrefix("--generate-completion-script="):
            return CompletionShell(rawValue: String(arguments[0].dropFirst("--generate-completion-script=".count)))
        default: return nil
        }
    }

    static let bashDefaultCommand = #"""

        # maws: `maws [OPTIONS]` is `maws login [OPTIONS]`, so a first word that is an option
        # (other than the root's own) completes as if `login` came before it.
        _maws_default_command() {
            if [[ ${COMP_CWORD} -ge 1 && "${COMP_WORDS[1]}" == -* ]] \
                && [[ ! " --version -h --help --generate-completion-script " =~ " ${COMP_WORDS[1]} " ]]; then
                COMP_WORDS=("${COMP_WORDS[0]}" login "${COMP_WORDS[@]:1}")
                COMP_CWORD=$((COMP_CWORD + 1))
                COMP_LINE="${COMP_WORDS[0]} login${COMP_LINE#"${COMP_WORDS[0]}"}"
                COMP_POINT=$((COMP_POINT + 6))
            fi
            _maws "$@"
        }

        complete -o filenames -F _maws_default_command maws

        """#
}
