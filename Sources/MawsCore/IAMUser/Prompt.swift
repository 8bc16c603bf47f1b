import Glibc

/// Asks the person for a password, an MFA code or a yes/no, on the terminal (`/dev/tty`), never
/// on stdin or stdout. Scripts pass passwords through the file descriptor named by
/// `MAWS_PASSWORD_FD`, one per line, in the order maws asks for them.
package final class Prompt: @unchecked Sendable {
    private let passwordDescriptor: Int32?
    private var passwordBuffer: [UInt8] = []

    package init(environment: Environment) {
        passwordDescriptor = environment["MAWS_PASSWORD_FD"].flatMap(Int32.init)
    }

    /// A password; with `confirm`, asked twice on the terminal (a script's descriptor gives it once).
    package func password(_ label: String, confirm: Bool = false) throws -> [UInt8] {
        if let descriptor = passwordDescriptor {
            guard let line = readLine(from: descriptor) else { throw PromptError.noPassword(source: "MAWS_PASSWORD_FD") }
            guard !line.isEmpty else { throw PromptError.emptyPassword }
            return line
        }
        let first = try terminalLine(prompt: "\(label): ", echo: false)
        guard !first.isEmpty else { throw PromptError.emptyPassword }
        if confirm {
            let second = try terminalLine(prompt: "Confirm \(label.prefix(1).lowercased() + label.dropFirst()): ", echo: false)
            guard first == second else { throw PromptError.mismatch }
        }
        return first
    }

    /// A line typed on the terminal, shown as it is typed (an MFA code, an answer).
    package func line(_ prompt: String) throws -> String {
        String(decoding: try terminalLine(prompt: prompt, echo: true), as: UTF8.self).trimmingLineWhitespace().description
    }

    package func confirm(_ question: String) throws -> Bool {
        let answer = try line("\(question) [y/N] ").lowercased()
        return answer == "y" || answer == "yes"
    }

    private func readLine(from descriptor: Int32) -> [UInt8]? {
        while true {
            if let newline = passwordBuffer.firstIndex(of: 10) {
                let line = Array(passwordBuffer[..<newline])
                passwordBuffer.removeSubrange(...newline)
                return line.last == 13 ? Array(line.dropLast()) : line
            }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = Errno.retrying { read(descriptor, &chunk, chunk.count) }
            guard count > 0 else {
                defer { passwordBuffer.removeAll() }
                return passwordBuffer.isEmpty ? nil : passwordBuffer
            }
            passwordBuffer += chunk[0..<count]
        }
    }

    private func terminalLine(prompt: String, echo: Bool) throws -> [UInt8] {
        guard let terminal = Terminal() else { throw PromptError.noTerminal(what: prompt.trimmingLineWhitespace().description) }
        // With echo off the typed line break is not shown either: one is written once echo is back.
        defer { if !echo && terminal.hasSettings { terminal.write("\n") } }
        // Ctrl-C (or another signal) while echo is off puts the terminal back and exits 130.
        return try terminal.withMode(echo ? nil : .noEcho) {
            terminal.write(prompt)
            var line: [UInt8] = []
            while let byte = terminal.readByte() {
                if byte == 10 || byte == 13 { return line }
                line.append(byte)
            }
            throw PromptError.noTerminal(what: prompt.trimmingLineWhitespace().description)
        }
    }
}

package enum PromptError: MawsError, Equatable {
    case noTerminal(what: String)
    case noPassword(source: String)
    case emptyPassword
    case mismatch

    package var description: String {
        switch self {
        case .noTerminal(let what):
            return "no terminal to ask for \"\(what)\" on; run maws in a terminal, or pass it as documented (--mfa-code, MAWS_PASSWORD_FD)"
        case .noPassword(let source):
            return "\(source) gave no password line"
        case .emptyPassword:
            return "the password is empty"
        case .mismatch:
            return "the two passwords differ; nothing was changed"
        }
    }
}
