/// Lines that change the calling shell's environment.
package struct ShellScript: Sendable, Equatable {
    package var dialect: ShellDialect
    package private(set) var lines: [String] = []

    package init(dialect: ShellDialect) {
        self.dialect = dialect
    }

    /// Adds `NAME=value`, refusing a value the shell might read as something else (the error
    /// names the variable, never the value, which may be a secret).
    package mutating func set(_ name: String, _ value: String) throws(ShellOutputError) {
        if let problem = dialect.problem(with: value) {
            throw .unsafeValue(name: name, dialect: dialect, problem: problem)
        }
        lines.append(dialect.set(name, value))
    }

    package mutating func unset(_ names: [String]) {
        lines += dialect.unset(names)
    }

    package var text: String {
        lines.map { $0 + "\n" }.joined()
    }
}

package enum ShellOutputError: MawsError, Equatable {
    case unsafeValue(name: String, dialect: ShellDialect, problem: String)

    package var exitCode: Int32 { ExitStatus.usage }

    package var description: String {
        switch self {
        case .unsafeValue(let name, .sh, let problem):
            return "maws cannot print \(name) for sh: its value contains \(problem), which the unquoted `eval $(maws)` "
                + "would split or expand into something else; only letters, digits and ._@+=,-:/% are safe there "
                + "(or use --shell fish or powershell)"
        case .unsafeValue(let name, let dialect, let problem):
            return "maws cannot print \(name) for \(dialect.rawValue): its value contains \(problem)"
        }
    }
}
