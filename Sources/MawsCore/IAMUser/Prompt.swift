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
        let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw PromptError.noTerminal(what: prompt.trimmingLineWhitespace().description) }
        defer { close(descriptor) }
        var saved = termios()
        let haveTermios = tcgetattr(descriptor, &saved) == 0
        // Ctrl-C (or another signal) while echo is off puts the terminal back and exits 130.
        return try TerminalGuard.protect(descriptor, saved: saved) {
            if !echo && haveTermios {
                var quiet = saved
                quiet.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(descriptor, TCSAFLUSH, &quiet)
            }
            defer {
                if !echo && haveTermios {
                    tcsetattr(descriptor, TCSAFLUSH, &saved)
                    _ = write(descriptor, "\n", 1)
                }
            }
            _ = prompt.withCString { write(descriptor, $0, strlen($0)) }
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while true {
                let count = read(descriptor, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { break }
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
